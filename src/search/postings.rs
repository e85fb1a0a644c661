//! Posting lists: the sorted ids of the contacts having a term. Stored in blocks of at
//! most [`BLOCK_MAX`] ids, each a run of delta-encoded varints (LEB128), and intersected
//! in memory. See docs/search.md.

/// The most ids a stored block holds; a fuller block is split in two.
pub const BLOCK_MAX: usize = 512;

/// Encodes ascending ids as varint deltas.
pub fn encode(ids: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() * 2);
    let mut prev = 0i64;
    for &id in ids {
        let mut d = id.wrapping_sub(prev) as u64;
        prev = id;
        loop {
            let b = (d & 0x7f) as u8;
            d >>= 7;
            if d == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }
    out
}

/// Appends the ids of an encoded block to `out`. A truncated tail (never written by
/// [`encode`]) is ignored rather than trusted.
pub fn decode_into(bytes: &[u8], out: &mut Vec<i64>) {
    let mut prev = 0i64;
    let mut d = 0u64;
    let mut shift = 0u32;
    for &b in bytes {
        if shift < 64 {
            d |= u64::from(b & 0x7f) << shift;
        }
        if b & 0x80 == 0 {
            prev = prev.wrapping_add(d as i64);
            out.push(prev);
            d = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
}

pub fn decode(bytes: &[u8]) -> Vec<i64> {
    let mut out = Vec::new();
    decode_into(bytes, &mut out);
    out
}

/// The sorted union of sorted lists.
pub fn union(lists: &[&[i64]]) -> Vec<i64> {
    match lists {
        [] => Vec::new(),
        [one] => one.to_vec(),
        _ => {
            let mut all: Vec<i64> = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
            for l in lists {
                all.extend_from_slice(l);
            }
            all.sort_unstable();
            all.dedup();
            all
        }
    }
}

/// The sorted intersection of two sorted lists: a merge when their sizes are close, a
/// binary search of the smaller one's ids in the larger otherwise.
pub fn intersect(a: &[i64], b: &[i64]) -> Vec<i64> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(small.len());
    if small.len() * 16 < large.len() {
        let mut from = 0;
        for &x in small {
            match large[from..].binary_search(&x) {
                Ok(i) => {
                    out.push(x);
                    from += i + 1;
                }
                Err(i) => from += i,
            }
        }
    } else {
        let (mut i, mut j) = (0, 0);
        while i < small.len() && j < large.len() {
            match small[i].cmp(&large[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    out.push(small[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip() {
        let ids = vec![1, 2, 127, 128, 129, 16_384, 1 << 40, (1 << 40) + 1];
        let bytes = encode(&ids);
        assert_eq!(decode(&bytes), ids);
        assert_eq!(encode(&[1, 2, 3]), vec![1, 1, 1], "deltas are small");
        assert!(decode(&[]).is_empty());
        // A truncated varint is dropped, never misread.
        assert_eq!(decode(&[5, 0x80]), vec![5]);
    }

    #[test]
    fn union_and_intersection() {
        assert_eq!(union(&[&[1, 4, 9], &[2, 4, 10]]), vec![1, 2, 4, 9, 10]);
        assert_eq!(union(&[&[3, 5]]), vec![3, 5]);
        let big: Vec<i64> = (1..=1000).map(|i| i * 3).collect();
        assert_eq!(intersect(&[3, 4, 9, 3000, 3001], &big), vec![3, 9, 3000]);
        assert_eq!(intersect(&big, &[6, 7]), vec![6]);
        assert_eq!(intersect(&[1, 2, 3, 4], &[2, 4, 6, 8]), vec![2, 4]);
        assert!(intersect(&[], &big).is_empty());
    }
}
