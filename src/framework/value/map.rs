//! [`ValueMap`]: the entries of an object or map value, kept sorted by
//! name in one vector.
//!
//! An object of this provider's schemas has tens of attributes, decoded,
//! copied and dropped several times per call. A sorted vector holds them in
//! one allocation (a `BTreeMap` takes one per node of up to eleven), is
//! searched by bisection, and is built in one pass from entries that come
//! sorted, as Terraform's encodings send them (issue 15).

use std::borrow::Borrow;
use std::fmt;

use super::Value;

/// Entries sorted by name, each name once. Its methods are those of a
/// `BTreeMap<String, Value>` that the framework uses.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ValueMap {
    entries: Vec<(String, Value)>,
}

impl ValueMap {
    /// An empty map.
    pub fn new() -> Self {
        ValueMap::default()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> Result<usize, usize> {
        let name = name.borrow();
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// The value of `name`.
    pub fn get<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> Option<&Value> {
        self.find(name).ok().map(|i| &self.entries[i].1)
    }

    /// The entry of `name`, with the map's own copy of the name.
    pub fn get_key_value<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> Option<(&String, &Value)> {
        self.find(name).ok().map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    /// The value of `name`, to change it.
    pub fn get_mut<Q: Borrow<str> + ?Sized>(&mut self, name: &Q) -> Option<&mut Value> {
        match self.find(name) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    /// Whether `name` has an entry.
    pub fn contains_key<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> bool {
        self.find(name).is_ok()
    }

    /// Sets `name` to `value`; answers the value it replaces.
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        match self.find(name.as_str()) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (name, value));
                None
            }
        }
    }

    /// The value of `name`, inserted with `make` first when absent.
    pub fn get_or_insert_with(&mut self, name: &str, make: impl FnOnce() -> Value) -> &mut Value {
        let i = match self.find(name) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (name.to_string(), make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Removes `name`; answers its value.
    pub fn remove<Q: Borrow<str> + ?Sized>(&mut self, name: &Q) -> Option<Value> {
        self.find(name).ok().map(|i| self.entries.remove(i).1)
    }

    /// The entries, sorted by name.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// The entries, sorted by name, their values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    /// The names, sorted.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in the order of their names.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values, to change them.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

/// Sorts the entries (one pass when they come sorted); of a name given
/// twice the last value stays, as in a `BTreeMap`.
impl FromIterator<(String, Value)> for ValueMap {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut entries: Vec<(String, Value)> = iter.into_iter().collect();
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            // Of equal names, keep the last one given (the sort is stable).
            let mut kept: Vec<(String, Value)> = Vec::with_capacity(entries.len());
            for e in entries {
                match kept.last_mut() {
                    Some(last) if last.0 == e.0 => *last = e,
                    _ => kept.push(e),
                }
            }
            entries = kept;
        }
        ValueMap { entries }
    }
}

impl<const N: usize> From<[(String, Value); N]> for ValueMap {
    fn from(entries: [(String, Value); N]) -> Self {
        entries.into_iter().collect()
    }
}

/// `map["name"]`: the value of `name`; panics when it has none, as a
/// `BTreeMap` does (for tests and known names).
impl std::ops::Index<&str> for ValueMap {
    type Output = Value;
    fn index(&self, name: &str) -> &Value {
        match self.get(name) {
            Some(v) => v,
            None => panic!("no entry named {name:?}"),
        }
    }
}

impl Extend<(String, Value)> for ValueMap {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

/// The entries of a [`ValueMap`], by reference.
pub struct Iter<'a>(std::slice::Iter<'a, (String, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The entries of a [`ValueMap`], their values to change.
pub struct IterMut<'a>(std::slice::IterMut<'a, (String, Value)>);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a String, &'a mut Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for IterMut<'_> {}

impl<'a> IntoIterator for &'a ValueMap {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut ValueMap {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl IntoIterator for ValueMap {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// As a map: names, never values' contents (see `Value`'s `Debug`).
impl fmt::Debug for ValueMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(m: &ValueMap) -> Vec<&str> {
        m.keys().map(String::as_str).collect()
    }

    #[test]
    fn entries_stay_sorted_and_unique_whatever_the_order_of_inserts() {
        let mut m = ValueMap::new();
        for (k, v) in [("b", 1), ("a", 2), ("c", 3), ("a", 4)] {
            m.insert(k.to_string(), Value::from(v as i64));
        }
        assert_eq!(names(&m), ["a", "b", "c"]);
        assert_eq!(m.get("a"), Some(&Value::from(4i64)));
        assert_eq!(m.remove("b"), Some(Value::from(1i64)));
        assert_eq!(names(&m), ["a", "c"]);
        assert!(m.get("b").is_none() && !m.contains_key("b"));
        *m.get_or_insert_with("d", || Value::Null) = Value::Bool(true);
        assert_eq!(names(&m), ["a", "c", "d"]);
        assert_eq!(
            m.get_or_insert_with("d", || Value::Null),
            &Value::Bool(true)
        );
    }

    #[test]
    fn collecting_sorts_and_keeps_the_last_of_a_name_given_twice() {
        let m: ValueMap = [("z", 1i64), ("a", 2), ("z", 3), ("m", 4)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::from(v)))
            .collect();
        assert_eq!(names(&m), ["a", "m", "z"]);
        assert_eq!(m.get("z"), Some(&Value::from(3i64)));
        let sorted: ValueMap = [("a", 1i64), ("b", 2)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::from(v)))
            .collect();
        assert_eq!(names(&sorted), ["a", "b"]);
        let owned: Vec<(String, Value)> = sorted.into_iter().collect();
        assert_eq!(owned.len(), 2);
    }
}
