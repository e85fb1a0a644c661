//! XML for the invoice formats: a small writer (elements in order, text and attribute
//! values escaped, no DTD, no entity) and a bounded reader into a tree (`parse_xml`) for
//! what comes from outside (received invoices, the PA's lifecycles), which refuses any
//! DOCTYPE before anything is expanded.

use quick_xml::events::Event;

pub struct Xml {
    out: String,
    open: Vec<&'static str>,
}

/// Text as XML character data and attribute values: the five special characters, and the
/// control characters XML 1.0 forbids dropped.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

impl Xml {
    /// A document whose root element is `root` with these namespace declarations.
    pub fn new(root: &'static str, namespaces: &[(&str, &str)]) -> Xml {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        out.push_str(root);
        for (prefix, uri) in namespaces {
            out.push_str(" xmlns");
            if !prefix.is_empty() {
                out.push(':');
                out.push_str(prefix);
            }
            out.push_str("=\"");
            out.push_str(uri);
            out.push('"');
        }
        out.push('>');
        Xml { out, open: vec![root] }
    }

    pub fn open(&mut self, tag: &'static str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self.open.push(tag);
        self
    }

    pub fn close(&mut self) -> &mut Self {
        if let Some(tag) = self.open.pop() {
            self.out.push_str("</");
            self.out.push_str(tag);
            self.out.push('>');
        }
        self
    }

    /// `<tag a="v">text</tag>`.
    pub fn leaf_with(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            escape(value, &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
        escape(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.leaf_with(tag, &[], text)
    }

    /// Closes every open element and returns the document.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out.push('\n');
        self.out
    }
}

/// The largest XML read.
pub const XML_MAX_BYTES: usize = 5 * 1024 * 1024;
const DEPTH_MAX: usize = 64;
const NODES_MAX: usize = 200_000;

/// An element: local name, attributes (local name, value), text, children.
#[derive(Debug, Default, Clone)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// The node at a path of child names.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, p| n.child(p))
    }
    /// The text at a path ('' when absent).
    pub fn text_at(&self, path: &[&str]) -> String {
        self.at(path).map(|n| n.text.trim().to_string()).unwrap_or_default()
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Reads an XML document into a tree. Refused: a DOCTYPE, an entity other than the five
/// predefined ones and character references, more than 64 levels or 200 000 elements.
pub fn parse_xml(bytes: &[u8]) -> Result<Node, String> {
    if bytes.len() > XML_MAX_BYTES {
        return Err(format!("fichier XML trop gros ({} Mo au plus)", XML_MAX_BYTES >> 20));
    }
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut count = 0usize;
    let attrs_of = |e: &quick_xml::events::BytesStart| -> Vec<(String, String)> {
        e.attributes()
            .flatten()
            .take(32)
            .map(|a| {
                (
                    a.key.local_name().as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.to_string()).unwrap_or_default(),
                )
            })
            .collect()
    };
    loop {
        match reader.read_event_into(&mut buf) {
            Err(e) => return Err(format!("XML illisible : {e}")),
            Ok(Event::Eof) => break,
            Ok(Event::DocType(_)) => return Err("DOCTYPE refusé : les entités XML ne sont jamais développées".into()),
            Ok(Event::Start(e)) => {
                count += 1;
                if stack.len() >= DEPTH_MAX || count > NODES_MAX {
                    return Err("document XML trop profond ou trop grand".into());
                }
                stack.push(Node { name: e.local_name().as_ref().to_string(), attrs: attrs_of(&e), ..Default::default() });
            }
            Ok(Event::Empty(e)) => {
                count += 1;
                if count > NODES_MAX {
                    return Err("document XML trop profond ou trop grand".into());
                }
                let node = Node { name: e.local_name().as_ref().to_string(), attrs: attrs_of(&e), ..Default::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Ok(Event::End(_)) => {
                let node = stack.pop().ok_or("XML mal formé")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    _ => match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("entité XML inconnue refusée : &{other};")),
                    },
                };
                if let Some(n) = stack.last_mut() {
                    n.text.push(c);
                }
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    root.ok_or_else(|| "aucun élément XML".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut x = Xml::new("r", &[("a", "urn:a")]);
        x.open("a:b").leaf_with("a:c", &[("k", "\"<&>")], "Dupont & Fils <SARL>\u{1}").close();
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns:a=\"urn:a\"><a:b><a:c k=\"&quot;&lt;&amp;&gt;\">Dupont &amp; Fils &lt;SARL&gt;</a:c></a:b></r>\n"
        );
    }
}
