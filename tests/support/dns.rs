//! A small authoritative DNS server on loopback for the tests: serves a zone held in
//! memory (A, AAAA, MX, TXT, SPF-as-TXT, PTR, CNAME, names that never answer) over UDP
//! and TCP, with hickory-proto for the wire format. The zone can be replaced while it runs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use hickory_proto::op::{Edns, Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, PTR, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Debug)]
pub enum Rec {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Mx(u16, String),
    Txt(Vec<Vec<u8>>),
    /// The old SPF RR type: served as TXT when the name has no TXT of its own.
    Spf(Vec<Vec<u8>>),
    Ptr(String),
    Cname(String),
    /// Queries for this name are never answered.
    Timeout,
}

#[derive(Default, Clone, Debug)]
pub struct Zone {
    pub names: HashMap<String, Vec<Rec>>,
}

impl Zone {
    pub fn add(&mut self, name: &str, rec: Rec) -> &mut Self {
        self.names.entry(key(name)).or_default().push(rec);
        self
    }
    pub fn txt(&mut self, name: &str, text: &str) -> &mut Self {
        self.add(name, Rec::Txt(vec![text.as_bytes().to_vec()]))
    }
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

pub struct DnsServer {
    pub addr: SocketAddr,
    zone: Arc<RwLock<Zone>>,
}

impl DnsServer {
    pub async fn start(zone: Zone) -> DnsServer {
        // One port for both: a free UDP port whose TCP twin is free too.
        let (udp, tcp, addr) = loop {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let addr = udp.local_addr().unwrap();
            if let Ok(tcp) = tokio::net::TcpListener::bind(addr).await {
                break (udp, tcp, addr);
            }
        };
        let zone = Arc::new(RwLock::new(zone));
        let z = zone.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, peer)) = udp.recv_from(&mut buf).await else { break };
                let out = answer(&z.read().unwrap(), &buf[..n], true);
                if let Some(out) = out {
                    let _ = udp.send_to(&out, peer).await;
                }
            }
        });
        let z = zone.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = tcp.accept().await else { break };
                let z = z.clone();
                tokio::spawn(async move {
                    loop {
                        let mut len = [0u8; 2];
                        if s.read_exact(&mut len).await.is_err() {
                            break;
                        }
                        let mut q = vec![0u8; u16::from_be_bytes(len) as usize];
                        if s.read_exact(&mut q).await.is_err() {
                            break;
                        }
                        let out = answer(&z.read().unwrap(), &q, false);
                        let Some(out) = out else { continue };
                        let mut framed = (out.len() as u16).to_be_bytes().to_vec();
                        framed.extend_from_slice(&out);
                        if s.write_all(&framed).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        DnsServer { addr, zone }
    }

    pub fn set_zone(&self, zone: Zone) {
        *self.zone.write().unwrap() = zone;
    }
}

fn name(s: &str) -> Name {
    let mut n = Name::from_str_relaxed(s).unwrap_or_else(|_| Name::from_ascii("invalid.").unwrap());
    n.set_fqdn(true);
    n
}

fn txt(parts: &[Vec<u8>]) -> RData {
    let mut chunks: Vec<&[u8]> = Vec::new();
    for p in parts {
        if p.is_empty() {
            chunks.push(p);
        }
        chunks.extend(p.chunks(255));
    }
    RData::TXT(TXT::from_bytes(chunks))
}

/// The response to one query; `None` when the name is one that times out.
fn answer(zone: &Zone, query: &[u8], udp: bool) -> Option<Vec<u8>> {
    let q = Message::from_vec(query).ok()?;
    let question = q.queries.first()?.clone();
    let mut r = Message::response(q.metadata.id, q.metadata.op_code);
    r.metadata.message_type = MessageType::Response;
    r.metadata.authoritative = true;
    r.metadata.recursion_desired = q.metadata.recursion_desired;
    r.metadata.recursion_available = true;
    r.add_query(question.clone());
    if q.edns.is_some() {
        let mut e = Edns::new();
        e.set_max_payload(4096);
        r.set_edns(e);
    }
    let qtype = question.query_type();
    let mut current = key(&question.name().to_ascii());
    let mut found_name = false;
    for _ in 0..8 {
        let Some(recs) = zone.names.get(&current) else { break };
        found_name = true;
        if recs.iter().any(|r| matches!(r, Rec::Timeout)) {
            return None;
        }
        let owner = name(&current);
        let cname = recs.iter().find_map(|r| if let Rec::Cname(t) = r { Some(t.clone()) } else { None });
        if let Some(target) = cname.filter(|_| qtype != RecordType::CNAME) {
            r.add_answer(Record::from_rdata(owner, 300, RData::CNAME(CNAME(name(&target)))));
            current = key(&target);
            continue;
        }
        let has_txt = recs.iter().any(|r| matches!(r, Rec::Txt(_)));
        for rec in recs {
            let data = match (rec, qtype) {
                (Rec::A(ip), RecordType::A) => RData::A(A(*ip)),
                (Rec::Aaaa(ip), RecordType::AAAA) => RData::AAAA(AAAA(*ip)),
                (Rec::Mx(p, t), RecordType::MX) => RData::MX(MX::new(*p, name(t))),
                (Rec::Txt(parts), RecordType::TXT) => txt(parts),
                (Rec::Spf(parts), RecordType::TXT) if !has_txt => txt(parts),
                (Rec::Ptr(t), RecordType::PTR) => RData::PTR(PTR(name(t))),
                (Rec::Cname(t), RecordType::CNAME) => RData::CNAME(CNAME(name(t))),
                _ => continue,
            };
            r.add_answer(Record::from_rdata(owner.clone(), 300, data));
        }
        break;
    }
    if !found_name && r.answers.is_empty() {
        r.metadata.response_code = ResponseCode::NXDomain;
    }
    let bytes = r.to_vec().ok()?;
    if udp && q.edns.is_none() && bytes.len() > 512 {
        let mut t = Message::response(q.metadata.id, q.metadata.op_code);
        t.metadata.truncation = true;
        t.add_query(question);
        return t.to_vec().ok();
    }
    Some(bytes)
}
