//! The root: its `policies` list and its tags.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn plan_root(&mut self) {
        let Some(root) = &self.desired.root else {
            return;
        };
        let addr = Address::root();
        let id = self.live.root.id.clone();
        let mut ops = Vec::new();
        let mut attrs = Vec::new();
        if let Some(policies) = &root.policies {
            let (att, attr) = self.plan_attachments(
                &addr,
                &root.origin,
                IdRef::Known(id.clone()),
                Some(&id),
                policies,
            );
            ops.extend(att);
            attrs.extend(attr);
        }
        if let Some(tags) = &root.tags {
            let live_tags = self.live.root_tags.clone();
            let (tag_ops, attr) =
                self.plan_tags(&addr, IdRef::Known(id.clone()), Some(&live_tags), tags);
            ops.extend(tag_ops);
            attrs.push(attr);
        }
        let action = if ops.is_empty() {
            Action::Read
        } else {
            Action::Update
        };
        self.push_change(&addr, action, None, Some(id), attrs, ops);
    }
}
