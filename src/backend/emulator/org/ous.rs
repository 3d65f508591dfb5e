//! Organizational units: listing a parent's OUs and a child's parent, and creating, renaming
//! and deleting OUs within the depth and count quotas.

use super::*;

impl Core {
    pub(super) fn list_organizational_units_for_parent(
        &self,
        op: Operation,
        i: ListOrganizationalUnitsForParentInput,
    ) -> Outcome {
        self.parent_exists(op, &i.parent_id)?;
        let ids = self
            .index
            .child_ous
            .get(&i.parent_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let (page, next_token) =
            paginate(op, ids, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
        read(Response::ListOrganizationalUnitsForParent(
            ListOrganizationalUnitsForParentOutput {
                organizational_units: page.into_iter().map(|id| self.ou_out(id)).collect(),
                next_token,
            },
        ))
    }

    pub(super) fn list_parents(&self, op: Operation, i: ListParentsInput) -> Outcome {
        let s = &self.state;
        let parent = s
            .accounts
            .get(&i.child_id)
            .map(|a| &a.parent_id)
            .or_else(|| s.ous.get(&i.child_id).map(|o| &o.parent_id))
            .ok_or_else(|| {
                err(
                    op,
                    "ChildNotFoundException",
                    format!("We can't find an organizational unit (OU) or AWS account with the ChildId ({}) that you specified.", i.child_id),
                )
            })?;
        let parents = vec![Parent {
            id: parent.clone(),
            r#type: if s.ous.contains_key(parent) {
                vocab::TargetType::OrganizationalUnit.to_string()
            } else {
                vocab::TargetType::Root.to_string()
            },
        }];
        let (parents, next_token) = paginate(
            op,
            parents,
            i.next_token.as_deref(),
            i.max_results,
            ORG_PAGE,
        )?;
        read(Response::ListParents(ListParentsOutput {
            parents,
            next_token,
        }))
    }

    pub(super) fn update_organizational_unit(
        &mut self,
        op: Operation,
        i: UpdateOrganizationalUnitInput,
    ) -> Outcome {
        let s = &self.state;
        let ou = s
            .ous
            .get(&i.organizational_unit_id)
            .ok_or_else(|| ou_not_found(op, &i.organizational_unit_id))?;
        if let Some(name) = &i.name {
            check_name(op, "Name", name, 128)?;
            let parent = ou.parent_id.clone();
            self.no_duplicate_ou(op, &parent, name, Some(&i.organizational_unit_id))?;
            self.state
                .ous
                .get_mut(&i.organizational_unit_id)
                .expect("checked")
                .name = name.clone();
        }
        Ok((
            Response::UpdateOrganizationalUnit(UpdateOrganizationalUnitOutput {
                organizational_unit: self.ou_out(&i.organizational_unit_id),
            }),
            i.name.is_some(),
        ))
    }

    pub(super) fn delete_organizational_unit(
        &mut self,
        op: Operation,
        i: DeleteOrganizationalUnitInput,
    ) -> Outcome {
        let s = &self.state;
        let id = &i.organizational_unit_id;
        if !s.ous.contains_key(id) {
            return Err(ou_not_found(op, id));
        }
        let has_children = self.index.child_ous.get(id).is_some_and(|c| !c.is_empty())
            || self
                .index
                .child_accounts
                .get(id)
                .is_some_and(|c| !c.is_empty());
        if has_children {
            return Err(err(
                op,
                "OrganizationalUnitNotEmptyException",
                "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.",
            ));
        }
        self.state.ous.remove(id);
        self.detach_all(id);
        Ok((Response::DeleteOrganizationalUnit(Empty {}), true))
    }

    pub(super) fn ou_out(&self, id: &str) -> OrganizationalUnit {
        OrganizationalUnit {
            id: id.to_string(),
            arn: self.state.target_arn(id),
            name: self.state.ous[id].name.clone(),
        }
    }

    pub(super) fn no_duplicate_ou(
        &self,
        op: Operation,
        parent: &str,
        name: &str,
        except: Option<&str>,
    ) -> Result<(), ApiError> {
        let dup = self
            .index
            .child_ous
            .get(parent)
            .into_iter()
            .flatten()
            .any(|id| Some(id.as_str()) != except && self.state.ous[id].name == name);
        if dup {
            Err(err(
                op,
                "DuplicateOrganizationalUnitException",
                "An OU with the same name already exists.",
            ))
        } else {
            Ok(())
        }
    }

    pub(super) fn create_organizational_unit(
        &mut self,
        op: Operation,
        i: CreateOrganizationalUnitInput,
    ) -> Outcome {
        self.parent_exists(op, &i.parent_id)?;
        check_name(op, "Name", &i.name, 128)?;
        self.no_duplicate_ou(op, &i.parent_id, &i.name, None)?;
        if self.state.depth(&i.parent_id) + 1 > MAX_OU_DEPTH {
            return Err(cv(
                op,
                "OU_DEPTH_LIMIT_EXCEEDED",
                format!(
                    "You attempted to create an OU tree that is too many levels deep (the maximum is {MAX_OU_DEPTH})."
                ),
            ));
        }
        if self.state.ous.len() as u64 >= self.state.quota("organizational_units") {
            return Err(cv(
                op,
                "OU_NUMBER_LIMIT_EXCEEDED",
                "You attempted to exceed the number of OUs that you can have in an organization.",
            ));
        }
        let tags = merge_tags(
            op,
            &BTreeMap::new(),
            &i.tags,
            self.state.quota("tags_per_resource"),
        )?;
        let id = self.state.new_ou_id();
        self.state.ous.insert(
            id.clone(),
            OuState {
                name: i.name,
                parent_id: i.parent_id,
                tags,
            },
        );
        self.attach_defaults(&id);
        Ok((
            Response::CreateOrganizationalUnit(CreateOrganizationalUnitOutput {
                organizational_unit: self.ou_out(&id),
            }),
            true,
        ))
    }
}

fn ou_not_found(op: Operation, id: &str) -> ApiError {
    err(
        op,
        "OrganizationalUnitNotFoundException",
        format!("We can't find an OU with the OrganizationalUnitId ({id}) that you specified."),
    )
}
