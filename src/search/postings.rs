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

/// The ids present in every group, ascending, computed only as far as they are read (a
/// query wants the first twenty): each group is the union of sorted lists (a word's
/// terms). The group with the fewest ids drives, merged lazily; each of its ids is
/// looked up in the other groups, each a [`Union`] whose lists only move forward.
/// No union is ever built or sorted: a prefix like «mar» stands for 100,000 ids.
pub fn matching<'a>(groups: &'a [Vec<&'a [i64]>]) -> Matching<'a> {
    let size = |g: &Vec<&[i64]>| g.iter().map(|l| l.len()).sum::<usize>();
    let driver = groups.iter().enumerate().min_by_key(|(_, g)| size(g)).map(|(i, _)| i);
    let merge = Merge::new(driver.map(|i| groups[i].as_slice()).unwrap_or_default());
    let others = groups.iter().enumerate().filter(|(i, _)| Some(*i) != driver).map(|(_, g)| Union::new(g)).collect();
    Matching { merge, others }
}

pub struct Matching<'a> {
    merge: Merge<'a>,
    others: Vec<Union<'a>>,
}

impl Iterator for Matching<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        'candidates: for id in self.merge.by_ref() {
            for group in &mut self.others {
                if !group.contains(id) {
                    continue 'candidates;
                }
            }
            return Some(id);
        }
        None
    }
}

/// A word's lists, asked for ids in ascending order: the lists are kept in a heap by
/// their next id, so a look-up moves only the lists that are behind it (a word's main
/// term, usually) rather than seeking in each of its up to 65 lists, most of them a few
/// ids far apart («bernard mar»: 0.63 ms of server time per search before, mostly here).
struct Union<'a> {
    lists: Vec<(&'a [i64], usize)>,
    heads: std::collections::BinaryHeap<std::cmp::Reverse<(i64, usize)>>,
}

impl<'a> Union<'a> {
    fn new(lists: &[&'a [i64]]) -> Self {
        let heads = lists.iter().enumerate().filter_map(|(i, l)| l.first().map(|&v| std::cmp::Reverse((v, i)))).collect();
        Union { lists: lists.iter().map(|l| (*l, 0)).collect(), heads }
    }

    /// Whether a list holds `id`; never asked for a smaller id afterwards.
    fn contains(&mut self, id: i64) -> bool {
        // The list behind moves in place at the top of the heap (one sift down), rather
        // than a pop and a push.
        while let Some(mut top) = self.heads.peek_mut() {
            let std::cmp::Reverse((head, i)) = *top;
            if head >= id {
                return head == id;
            }
            let (list, at) = &mut self.lists[i];
            *at = seek(list, *at, id);
            match list.get(*at) {
                Some(&next) => *top = std::cmp::Reverse((next, i)),
                None => {
                    std::collections::binary_heap::PeekMut::pop(top);
                }
            }
        }
        false
    }
}

/// The first position at or after `at` of a sorted list holding `id` or more. Gallops
/// from `at` (steps of 1, 2, 4, …, then a binary search inside the last step): the ids
/// looked up only grow, so the answer is usually a few places on, and a search of the
/// whole rest of the list would cost its logarithm every time.
fn seek(list: &[i64], at: usize, id: i64) -> usize {
    let mut lo = at;
    let mut step = 1;
    while lo + step < list.len() && list[lo + step] < id {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(list.len());
    lo + list[lo..hi].partition_point(|&v| v < id)
}

/// The ascending union of sorted lists, without repeats, one id at a time.
struct Merge<'a> {
    lists: &'a [&'a [i64]],
    heads: std::collections::BinaryHeap<std::cmp::Reverse<(i64, usize, usize)>>,
    last: Option<i64>,
}

impl<'a> Merge<'a> {
    fn new(lists: &'a [&'a [i64]]) -> Self {
        let heads = lists.iter().enumerate().filter_map(|(i, l)| l.first().map(|&v| std::cmp::Reverse((v, i, 0)))).collect();
        Merge { lists, heads, last: None }
    }
}

impl Iterator for Merge<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        // The smallest head is replaced in place by its list's next id (one sift down).
        while let Some(mut top) = self.heads.peek_mut() {
            let std::cmp::Reverse((v, list, at)) = *top;
            match self.lists[list].get(at + 1) {
                Some(&next) => *top = std::cmp::Reverse((next, list, at + 1)),
                None => {
                    std::collections::binary_heap::PeekMut::pop(top);
                }
            }
            if self.last != Some(v) {
                self.last = Some(v);
                return Some(v);
            }
        }
        None
    }
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
    fn seek_finds_the_first_not_smaller() {
        let list: Vec<i64> = (0..100).map(|i| i * 2).collect();
        for at in [0, 1, 7, 50, 99, 100] {
            for id in -1..=201 {
                let want = at.max(list.partition_point(|&v| v < id));
                assert_eq!(seek(&list, at, id), want, "from {at}, for {id}");
            }
        }
        assert_eq!(seek(&[], 0, 5), 0);
    }

    #[test]
    fn ids_in_every_group() {
        let all = |groups: &[Vec<&[i64]>]| matching(groups).collect::<Vec<_>>();
        // One word: the union of its terms, without repeats.
        assert_eq!(all(&[vec![&[1, 4, 9], &[2, 4, 10]]]), vec![1, 2, 4, 9, 10]);
        assert_eq!(all(&[vec![&[3, 5]]]), vec![3, 5]);
        let big: Vec<i64> = (1..=1000).map(|i| i * 3).collect();
        assert_eq!(all(&[vec![&[3, 4, 9, 3000, 3001]], vec![&big]]), vec![3, 9, 3000]);
        assert_eq!(all(&[vec![&big], vec![&[6, 7]]]), vec![6]);
        // Three words, the second a union of two terms.
        assert_eq!(all(&[vec![&[1, 2, 3, 4, 5, 6]], vec![&[2, 5], &[3, 4]], vec![&[2, 3, 5, 8]]]), vec![2, 3, 5]);
        // A word without terms matches nothing; nothing at all matches nothing.
        assert!(all(&[vec![&big], vec![]]).is_empty());
        assert!(all(&[]).is_empty());
        // Many lists per word, as a prefix gives: the same ids as a plain intersection
        // of the words' unions.
        let mut seed = 7_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for _ in 0..50 {
            let owned: Vec<Vec<Vec<i64>>> = (0..1 + next(3))
                .map(|_| {
                    (0..next(65))
                        .map(|_| {
                            let mut l: Vec<i64> = (0..next(200)).map(|_| next(2_000) as i64).collect();
                            l.sort_unstable();
                            l.dedup();
                            l
                        })
                        .collect()
                })
                .collect();
            let groups: Vec<Vec<&[i64]>> = owned.iter().map(|g| g.iter().map(Vec::as_slice).collect()).collect();
            let unions: Vec<std::collections::BTreeSet<i64>> = owned.iter().map(|g| g.iter().flatten().copied().collect()).collect();
            let want: Vec<i64> = unions[0].iter().copied().filter(|id| unions[1..].iter().all(|u| u.contains(id))).collect();
            assert_eq!(all(&groups), want);
        }
        // Read lazily: the first ids come without walking the rest.
        assert_eq!(matching(&[vec![&big], vec![&big[..]]]).take(2).collect::<Vec<_>>(), vec![3, 6]);
    }
}
