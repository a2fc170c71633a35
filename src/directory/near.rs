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

/// The name as matched: full-width forms folded to their ASCII forms, without spaces, the
/// dots of transliterated names (every common variant) or invisible format characters
/// (zero-width spaces and joiners, the soft hyphen, direction marks), letters in lower case.
pub(super) fn normalize(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            // Full-width ASCII (U+FF01..U+FF5E) to ASCII.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '·' | '•' | '.' | '・' | '･' | '‧' | '⋅' | '∙' | '．' | '。'
                        | '\u{00ad}'
                        | '\u{200b}'..='\u{200f}'
                        | '\u{202a}'..='\u{202e}'
                        | '\u{2060}'..='\u{206f}'
                        | '\u{feff}'
                )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn names_differing_only_in_spaces_dots_width_case_or_invisible_characters_match() {
        let base = normalize("王秀英");
        for variant in [
            "王 秀英",
            "王\u{3000}秀英",
            "王·秀英",
            "王・秀英",
            "王\u{200b}秀英",
            "王秀\u{feff}英",
            "王\u{00ad}秀英",
        ] {
            assert_eq!(normalize(variant), base, "{variant:?}");
        }
        assert_eq!(normalize("Ａｉｓｈａ Ｍ．"), normalize("aisha m"));
        assert_ne!(normalize("王秀兰"), base);
    }
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

/// Makes the index whole: every present person record indexed under the near key its
/// contents give now (so an entry a crash lost, a record set before the index existed, or a
/// change of the normalization is caught up), each record's near key set to it.
pub(super) fn repair(
    db: &crate::store::DurableDb,
    records: &sled::Tree,
    keyring: &super::keyring::Keyring,
    identity: &super::IdentityKey,
) -> Result<(), StoreError> {
    let near = db.db().open_tree(NEAR_TREE).map_err(io)?;
    for item in records.iter() {
        let (key, value) = item.map_err(io)?;
        let Some(subject @ Subject::Person(_)) = subject_of_key(&key) else {
            continue;
        };
        let Ok(mut stored) = Stored::decode(value.as_ref()) else {
            continue;
        };
        let record = match super::view(keyring, &subject, Some(&stored)) {
            Ok(record) => record,
            // A damaged record is refused where it is read, not here.
            Err(_) => continue,
        };
        let (Some(name), Some(super::Details::Person(person))) =
            (&record.display_name, &record.details)
        else {
            continue;
        };
        let expected = identity.near_key(name, person);
        let indexed = near
            .contains_key([expected.as_slice(), &key].concat())
            .map_err(io)?;
        if stored.near_key != expected || !indexed {
            let old = (!stored.near_key.is_empty() && stored.near_key != expected)
                .then(|| stored.near_key.clone());
            reindex(&near, &subject, None, Some(&expected))?;
            stored.near_key = expected.to_vec();
            records
                .insert(key.clone(), stored.encode_to_vec())
                .map_err(io)?;
            reindex(&near, &subject, old.as_deref(), Some(&expected))?;
        }
    }
    Ok(())
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
