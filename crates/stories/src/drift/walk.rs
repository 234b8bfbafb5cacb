//! The body check: one pass over a response's bytes with serde, compared node by node with the
//! compiled schema, building nothing and recording departures by JSON path.

use std::collections::HashMap;
use std::fmt;

use domain::DriftKind;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::schema::{ARRAY, BOOLEAN, INTEGER, NUMBER, Node, NodeId, OBJECT, STRING, kind_names};

pub(super) struct State<'n> {
    pub(super) nodes: &'n [Node],
    pub(super) path: String,
    pub(super) found: HashMap<(String, DriftKind), u64>,
}

impl State<'_> {
    fn record(&mut self, kind: DriftKind) {
        *self.found.entry((self.path.clone(), kind)).or_default() += 1;
    }

    fn record_at(&mut self, segment: &str, kind: DriftKind) {
        let len = self.path.len();
        push_key(&mut self.path, segment);
        self.record(kind);
        self.path.truncate(len);
    }
}

/// `.key` for plain names, `["key"]` for anything else.
pub(super) fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !key.as_bytes()[0].is_ascii_digit();
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("[\"");
        path.push_str(&key.replace('"', "\\\""));
        path.push_str("\"]");
    }
}

/// Checks one value against one node.
pub(super) struct Check<'s, 'n> {
    pub(super) state: &'s mut State<'n>,
    pub(super) node: NodeId,
    pub(super) null_ok: bool,
}

impl<'de> DeserializeSeed<'de> for Check<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.state.nodes[self.node] {
            Node::Any => deserializer.deserialize_ignored_any(IgnoredAny).map(|_| ()),
            Node::Typed { .. } => deserializer.deserialize_any(self),
        }
    }
}

impl Check<'_, '_> {
    fn kinds(&self) -> u8 {
        match &self.state.nodes[self.node] {
            Node::Any => u8::MAX,
            Node::Typed { kinds, .. } => *kinds,
        }
    }

    fn scalar(self, found: u8) {
        let kinds = self.kinds();
        if kinds & found == 0 {
            self.state.record(DriftKind::Type {
                documented: kind_names(kinds),
                found: kind_names(found),
            });
        }
    }
}

impl<'de> Visitor<'de> for Check<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar(BOOLEAN);
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar(INTEGER);
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar(INTEGER);
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar(NUMBER);
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar(STRING);
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        if !self.null_ok {
            self.state.record(DriftKind::Null);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let nodes = self.state.nodes;
        let Node::Typed {
            kinds,
            items,
            items_null_ok,
            ..
        } = &nodes[self.node]
        else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        if kinds & ARRAY == 0 {
            self.scalar(ARRAY);
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let len = self.state.path.len();
        self.state.path.push_str("[]");
        match items {
            Some(items) => {
                while seq
                    .next_element_seed(Check {
                        state: &mut *self.state,
                        node: *items,
                        null_ok: *items_null_ok,
                    })?
                    .is_some()
                {}
            }
            None => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        self.state.path.truncate(len);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let nodes = self.state.nodes;
        let object = match &nodes[self.node] {
            Node::Typed {
                kinds,
                object: Some(object),
                ..
            } if kinds & OBJECT != 0 => object,
            _ => {
                self.scalar(OBJECT);
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(());
            }
        };
        let mut seen = vec![false; object.props.len()];
        let len = self.state.path.len();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.0;
            match object.index.get(key.as_ref()) {
                Some(&i) => {
                    seen[i] = true;
                    let prop = object.props[i].1;
                    push_key(&mut self.state.path, &key);
                    map.next_value_seed(Check {
                        state: &mut *self.state,
                        node: prop.node,
                        null_ok: prop.null_ok,
                    })?;
                }
                None => match object.additional {
                    Some(values) => {
                        self.state.path.push_str(".*");
                        map.next_value_seed(Check {
                            state: &mut *self.state,
                            node: values,
                            null_ok: true,
                        })?;
                    }
                    None => {
                        push_key(&mut self.state.path, &key);
                        self.state.record(DriftKind::Undocumented);
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
            self.state.path.truncate(len);
        }
        for &i in &object.always {
            if !seen[i] {
                self.state.record_at(&object.props[i].0, DriftKind::Missing);
            }
        }
        Ok(())
    }
}

/// An object key, borrowed from the body when it has no escapes.
pub(super) struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
