//! Near matches: persons whose records share a name, a birth date and a residence area, who
//! may be one person registered under two identity numbers. They are listed for review and
//! never merged; a review is a signed decision in the log (`ReviewNearMatch`).
//!
//! The `near` tree of the record store indexes present person records by their near key,
//! `HMAC-SHA256(identity key, normalized name ‖ birth date ‖ residence area)` followed by the
//! subject's key, so equal keys sort together and no name is on disk in clear. A record keeps
//! its near key (`Stored::near_key`); a correction or an erasure moves or removes its entry.
//! The index is derived from the records: a listing checks every entry against its record, so
//! an entry a crash left behind is never listed.

use super::identity::BirthDate;
use super::sealed::{Stored, subject_key, subject_of_key};
use super::{Directory, DirectoryError, PersonDetails, io, unavailable};
use crate::ledger::{PersonId, Subject};
use crate::store::StoreError;
use prost::Message;

/// The record store's tree of the index.
pub(super) const NEAR_TREE: &str = "near";

/// The most groups one page lists.
pub const MAX_NEAR_GROUPS_PER_PAGE: usize = 100;

/// The most index entries one page reads.
const MAX_SCANNED: usize = 10_000;

/// A cursor's length: a near key.
pub const NEAR_CURSOR_BYTES: usize = 32;

/// The name as matched: without spaces (including the full-width space) and the middle dot of
/// transliterated names, ASCII letters in lower case.
pub(super) fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What a near key is made of.
pub(super) fn near_input(name: &str, person: &PersonDetails) -> Vec<u8> {
    let birth: BirthDate = person.birth_date;
    [
        normalize(name).as_bytes(),
        b"\0",
        &birth.get().to_be_bytes(),
        b"\0",
        person.residence_area.as_str().as_bytes(),
    ]
    .concat()
}

/// One page of near matches.
#[derive(Debug, Default)]
pub struct NearPage {
    /// Groups of two or more persons sharing a near key.
    pub groups: Vec<Vec<PersonId>>,
    /// Where the next page starts, if the index goes on.
    pub next: Option<Vec<u8>>,
}

impl Directory {
    /// The groups of persons sharing a near key, after the near key `after` (empty: from the
    /// start): at most [`MAX_NEAR_GROUPS_PER_PAGE`] groups from at most 10,000 entries.
    pub fn near_matches(&self, after: &[u8]) -> Result<NearPage, DirectoryError> {
        self.with_open(|open| {
            let near = open
                .db
                .db()
                .open_tree(NEAR_TREE)
                .map_err(|e| unavailable(io(e)))?;
            let start = if after.is_empty() {
                std::ops::Bound::Unbounded
            } else {
                // Past every entry of the key `after`.
                std::ops::Bound::Excluded([after, &[0xff; 18]].concat())
            };
            let mut page = NearPage::default();
            let mut group: (Vec<u8>, Vec<PersonId>) = (Vec::new(), Vec::new());
            let flush = |group: &mut (Vec<u8>, Vec<PersonId>), page: &mut NearPage| {
                if group.1.len() > 1 {
                    page.groups.push(std::mem::take(&mut group.1));
                }
                group.1.clear();
            };
            for (scanned, item) in near.range((start, std::ops::Bound::Unbounded)).enumerate() {
                let (key, _) = item.map_err(|e| unavailable(io(e)))?;
                if key.len() <= NEAR_CURSOR_BYTES {
                    continue;
                }
                let (prefix, subject) = key.split_at(NEAR_CURSOR_BYTES);
                if prefix != group.0.as_slice() {
                    flush(&mut group, &mut page);
                    if page.groups.len() >= MAX_NEAR_GROUPS_PER_PAGE || scanned >= MAX_SCANNED {
                        page.next = Some(group.0.clone());
                        return Ok(page);
                    }
                    group.0 = prefix.to_vec();
                }
                let Some(Subject::Person(person)) = subject_of_key(subject) else {
                    continue;
                };
                // Only an entry its record still names (one a crash left is skipped).
                let current = open
                    .records
                    .get(subject)
                    .map_err(|e| unavailable(io(e)))?
                    .and_then(|value| Stored::decode(value.as_ref()).ok())
                    .is_some_and(|stored| stored.near_key == prefix);
                if current {
                    group.1.push(person);
                }
            }
            flush(&mut group, &mut page);
            Ok(page)
        })
    }
}

/// Moves a person's index entry from `old` to `new` near key (either may be absent).
pub(super) fn reindex(
    near: &sled::Tree,
    subject: &Subject,
    old: Option<&[u8]>,
    new: Option<&[u8]>,
) -> Result<(), StoreError> {
    let key = subject_key(subject);
    if let Some(new) = new {
        near.insert([new, &key].concat(), &[]).map_err(io)?;
    }
    if let Some(old) = old.filter(|old| Some(*old) != new) {
        near.remove([old, &key].concat()).map_err(io)?;
    }
    Ok(())
}
