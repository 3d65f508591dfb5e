//! Tags, shared by every kind that carries them: the tag diff and the tags a resource
//! should carry (the block's plus the ownership tag).

use super::*;

impl<'a> Planner<'a> {
    /// TagResource/UntagResource that make the live tags exactly `wanted`.
    pub(super) fn plan_tags(
        &mut self,
        owner: &Address,
        resource: IdRef,
        live: Option<&BTreeMap<String, String>>,
        wanted: &BTreeMap<String, String>,
    ) -> (Vec<usize>, AttrChange) {
        let empty = BTreeMap::new();
        let live = live.unwrap_or(&empty);
        let set: BTreeMap<String, String> = wanted
            .iter()
            .filter(|(k, v)| live.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let unset: BTreeSet<String> = live
            .keys()
            .filter(|k| !wanted.contains_key(*k) && !k.starts_with("aws:"))
            .cloned()
            .collect();
        let mut ops = Vec::new();
        if !set.is_empty() {
            ops.push(self.push_op(
                owner,
                Op::TagResource {
                    resource: resource.clone(),
                    tags: set,
                },
            ));
        }
        if !unset.is_empty() {
            ops.push(self.push_op(
                owner,
                Op::UntagResource {
                    resource,
                    keys: unset,
                },
            ));
        }
        let attr = AttrChange {
            name: "tags".into(),
            before: Some(show_map(live)),
            after: Some(show_map(wanted)),
            document: false,
        };
        (ops, attr)
    }

    /// The tags a resource should carry: the block's, plus the ownership tag, plus the
    /// prevent-destroy tag while its block sets the flag. A resource bound by its pinned id is
    /// identified by the pin, so it gets the ownership tag only if it has one already:
    /// `import` writes pinned blocks that plan with no changes.
    pub(super) fn wanted_tags(
        &self,
        tags: &BTreeMap<String, String>,
        address: &Address,
        bound: Option<&Bound>,
    ) -> BTreeMap<String, String> {
        if let Some(b) = bound.filter(|b| b.how == How::Pinned && !b.retag) {
            let untagged = self
                .live
                .tags_of(&b.id)
                .is_none_or(|t| !t.contains_key(OWNERSHIP_TAG));
            if untagged {
                return self.with_protection(tags.clone(), address);
            }
        }
        self.owned_tags(tags, address)
    }

    /// The block's tags with the ownership tag and, while the block sets
    /// `lifecycle.prevent_destroy`, the prevent-destroy tag.
    pub(super) fn owned_tags(
        &self,
        tags: &BTreeMap<String, String>,
        address: &Address,
    ) -> BTreeMap<String, String> {
        self.with_protection(tags_with_owner(tags, address, self.scope()), address)
    }

    fn with_protection(
        &self,
        mut tags: BTreeMap<String, String>,
        address: &Address,
    ) -> BTreeMap<String, String> {
        if self.protected.contains(address) {
            tags.insert(PREVENT_DESTROY_TAG.into(), PREVENT_DESTROY_TAG_VALUE.into());
        }
        tags
    }
}
