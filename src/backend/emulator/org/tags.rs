//! Tags on roots, OUs, accounts and customer-managed policies.

use super::*;

impl Core {
    pub(super) fn list_tags_for_resource(
        &self,
        op: Operation,
        i: ListTagsForResourceInput,
    ) -> Outcome {
        let tags = self.tags_of(op, &i.resource_id)?;
        let (tags, next_token) = paginate(
            op,
            tags_from_map(tags),
            i.next_token.as_deref(),
            None,
            ORG_PAGE,
        )?;
        read(Response::ListTagsForResource(ListTagsForResourceOutput {
            tags,
            next_token,
        }))
    }

    pub(super) fn tag_resource(&mut self, op: Operation, i: TagResourceInput) -> Outcome {
        let s = &self.state;
        let max = s.quota("tags_per_resource");
        let merged = merge_tags(op, self.tags_of(op, &i.resource_id)?, &i.tags, max)?;
        *self.tags_of_mut(&i.resource_id) = merged;
        Ok((Response::TagResource(Empty {}), true))
    }

    pub(super) fn untag_resource(&mut self, op: Operation, i: UntagResourceInput) -> Outcome {
        self.tags_of(op, &i.resource_id)?;
        let tags = self.tags_of_mut(&i.resource_id);
        for k in &i.tag_keys {
            tags.remove(k);
        }
        Ok((Response::UntagResource(Empty {}), true))
    }

    pub(super) fn tags_of(
        &self,
        op: Operation,
        id: &str,
    ) -> Result<&BTreeMap<String, String>, ApiError> {
        let s = &self.state;
        if id == s.organization.root_id {
            return Ok(&s.root_tags);
        }
        s.ous
            .get(id)
            .map(|o| &o.tags)
            .or_else(|| s.accounts.get(id).map(|a| &a.tags))
            .or_else(|| s.policies.get(id).filter(|p| !p.aws_managed).map(|p| &p.tags))
            .ok_or_else(|| {
                err(
                    op,
                    "TargetNotFoundException",
                    format!("We can't find a root, OU, account, or policy with the TargetId ({id}) that you specified."),
                )
            })
    }

    pub(super) fn tags_of_mut(&mut self, id: &str) -> &mut BTreeMap<String, String> {
        let s = &mut self.state;
        if id == s.organization.root_id {
            return &mut s.root_tags;
        }
        if let Some(o) = s.ous.get_mut(id) {
            return &mut o.tags;
        }
        if let Some(a) = s.accounts.get_mut(id) {
            return &mut a.tags;
        }
        &mut s.policies.get_mut(id).expect("checked by tags_of").tags
    }
}
