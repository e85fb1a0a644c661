//! A small XML writer for the invoice formats: elements in order, text and attribute
//! values escaped, nothing else (no DTD, no entity: what we write, a reader need not
//! expand).

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
