//! The reader: the whole organization through the API seam with the fewest calls the API
//! allows, and never a per-resource refresh. Organizations has no bulk "describe everything",
//! so the call count is a formula of the organization's shape (see [`expected_calls`]):
//!
//! - DescribeOrganization, ListRoots, ListAWSServiceAccessForOrganization,
//!   ListDelegatedAdministrators and ListCreateAccountStatus once (plus their pages), the
//!   last before the accounts so that no creation falls between the two reads;
//! - per parent (the root and every OU): ListOrganizationalUnitsForParent and
//!   ListAccountsForParent, pages followed to the end;
//! - per enabled policy type: ListPolicies; per customer policy: DescribePolicy; per policy:
//!   ListTargetsForPolicy (which yields every attachment without a per-target call);
//! - per root, OU, account and customer policy: ListTagsForResource (Organizations has no bulk
//!   tag read, and the ownership tag is how orgchard finds what it owns);
//! - per delegated administrator: ListDelegatedServicesForAccount;
//! - IAM roles only in the accounts the caller asks for ([`read_roles`]).
//!
//! A targeted plan reads less of the tree ([`TreeScope`], decided in [`super::targeted`]).
//!
//! The calls of different operations run concurrently, each paced by the [`Client`] to its
//! own API's rate, so a read takes about what its busiest operation needs at its rate
//! (calls ÷ rate), not the sum of one phase after another.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use futures::channel::mpsc;
use futures::stream::{self, FuturesUnordered, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::api::*;
use crate::backend::client::Client;
use crate::model::live::{LiveAccount, LiveOrg, LiveOu, LivePolicy, LiveRole};
use crate::model::lock::FoundLock;

use super::targeted::Closure;

/// How many reads of one kind are in flight at once; the client's pacing does the rest.
const CONCURRENCY: usize = 8;

/// Page sizes the reader asks for: AWS's maximum for each list.
const ORG_PAGE: i32 = 20;
const IAM_PAGE: i32 = 1000;

/// Follows `next_token` to the end.
pub(crate) async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        let (mut batch, next) = page(token).await?;
        items.append(&mut batch);
        match next {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(items),
        }
    }
}

const M: Scope = Scope::Management;

/// Reads the organization: structure, policies, attachments, tags, service access, delegated
/// administrators and pending account creations.
///
/// The reads form one pipeline rather than phases: every OU and account is handed to the tag
/// reader the moment its parent's listing returns, and every customer policy the moment its
/// type's listing does, while the tree walk, the policy reads and the organization-wide lists
/// go on beside it. Each API is then busy from the first moment it has work until its last
/// call, so the read takes about as long as its busiest API needs at its rate (on a large
/// organization, ListTagsForResource: one call per OU, account and policy), not the sum of
/// the phases.
pub async fn read_organization(client: &Client) -> Result<LiveOrg, ApiError> {
    Ok(read_organization_in(client, &TreeScope::Whole).await?.0)
}

/// Which part of the OU tree a read lists, and which accounts' tags it reads (everything
/// else is read whole).
#[derive(Debug, Clone, Copy)]
pub enum TreeScope<'a> {
    /// Every OU and account with its tags: what an untargeted plan reads.
    Whole,
    /// A targeted plan's read (see [`super::targeted`]): the root's children and the children
    /// of the live OUs the [`Closure`] may need (of every OU when `everywhere`), the tags of
    /// every OU listed, and of the listed accounts the closure names.
    Closure {
        closure: &'a Closure,
        everywhere: bool,
    },
    /// What an earlier targeted read read: a saved targeted plan read again.
    Again(&'a NarrowRead),
}

/// What a targeted plan read of the tree, so that `apply PLANFILE` can read it again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NarrowRead {
    /// The parents whose children were listed.
    pub parents: BTreeSet<String>,
    /// The accounts whose tags were read (the others listed are seen without tags).
    pub tagged_accounts: BTreeSet<String>,
}

/// Reads the organization with the tree limited to `scope`; also returns what of the tree
/// was read, unless the read was whole.
pub async fn read_organization_in(
    client: &Client,
    scope: &TreeScope<'_>,
) -> Result<(LiveOrg, Option<NarrowRead>), ApiError> {
    let lock = std::sync::Mutex::new(None);
    let organization = async {
        Ok::<_, ApiError>(
            client
                .describe_organization(&M, DescribeOrganizationInput {})
                .await?
                .organization,
        )
    };
    let service_access = read_service_access(client);
    let delegated = read_delegated_administrators(client);
    let tree = async {
        // Creations in progress are read before the accounts: one that finishes in between
        // is then among the accounts, never in neither list (it would be created a second
        // time). One that finishes after may be in both, which the planner tolerates: the
        // account is found by its tags, the pending creation only warns about blocks still
        // to create.
        let (root, pending) = futures::try_join!(read_root(client), read_pending(client))?;
        let (tree, policies, tags, listed) =
            read_tree_policies_and_tags(client, &root, scope, &lock).await?;
        Ok::<_, ApiError>((root, pending, tree, policies, tags, listed))
    };
    let (organization, service_access, delegated, (root, pending, tree, policies, tags, listed)) =
        futures::try_join!(organization, service_access, delegated, tree)?;
    let (mut ous, mut accounts) = tree;
    let mut policies = policies;
    let mut root_tags = BTreeMap::new();
    for (id, t) in tags {
        if id == root.id {
            root_tags = t;
        } else if let Some(ou) = ous.get_mut(&id) {
            ou.tags = t;
        } else if let Some(a) = accounts.get_mut(&id) {
            a.tags = t;
        } else if let Some(p) = policies.get_mut(&id) {
            p.tags = t;
        }
    }
    let live = LiveOrg {
        organization,
        root,
        root_tags,
        ous,
        accounts,
        policies,
        service_access,
        delegated_administrators: delegated,
        roles_read_in: BTreeSet::new(),
        roles: BTreeMap::new(),
        unowned_roles: BTreeMap::new(),
        pending_account_creations: pending,
        apply_lock: lock.into_inner().unwrap_or_else(|p| p.into_inner()),
    };
    Ok((live, listed))
}

/// One read of the partial walk.
enum Job {
    List(String),
    Tag { id: String, ou: bool },
}

enum Done {
    Listed(String, Vec<OrganizationalUnit>, Vec<Account>),
    Tagged {
        id: String,
        ou: bool,
        tags: BTreeMap<String, String>,
    },
}

async fn run_job(client: &Client, job: Job) -> Result<Done, ApiError> {
    match job {
        Job::List(parent) => {
            let (parent, ous, accounts) = read_children(client, parent).await?;
            Ok(Done::Listed(parent, ous, accounts))
        }
        Job::Tag { id, ou } => {
            let tags = read_tags(client, &id).await?;
            Ok(Done::Tagged { id, ou, tags })
        }
    }
}

async fn walk_part_of_tree(
    client: &Client,
    root_id: &str,
    scope: &TreeScope<'_>,
) -> Result<(Tree, Tags, NarrowRead), ApiError> {
    let mut tree: Tree = (BTreeMap::new(), BTreeMap::new());
    let mut tags: Tags = Vec::new();
    let mut read = NarrowRead::default();
    let mut waiting = vec![Job::List(root_id.to_string())];
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < CONCURRENCY {
            let Some(job) = waiting.pop() else { break };
            running.push(run_job(client, job));
        }
        let Some(done) = running.next().await else {
            break;
        };
        match done? {
            Done::Listed(parent, child_ous, child_accounts) => {
                add_children(
                    &mut tree,
                    &parent,
                    child_ous,
                    child_accounts,
                    |id, account| {
                        let tagged = match (account, scope) {
                            (None, _) | (_, TreeScope::Whole) => true,
                            (Some(a), TreeScope::Closure { closure, .. }) => {
                                closure.names_account(a)
                            }
                            (Some(_), TreeScope::Again(r)) => r.tagged_accounts.contains(id),
                        };
                        if account.is_some() && tagged {
                            read.tagged_accounts.insert(id.to_string());
                        }
                        if tagged {
                            waiting.push(Job::Tag {
                                id: id.to_string(),
                                ou: account.is_none(),
                            });
                        }
                    },
                );
                read.parents.insert(parent);
            }
            Done::Tagged { id, ou, tags: t } => {
                if ou {
                    let descend = match scope {
                        TreeScope::Whole => true,
                        TreeScope::Closure {
                            closure,
                            everywhere,
                        } => {
                            *everywhere
                                || tree
                                    .0
                                    .get(&id)
                                    .is_some_and(|o| closure.descends_into(&o.ou, &t))
                        }
                        TreeScope::Again(r) => r.parents.contains(&id),
                    };
                    if descend {
                        waiting.push(Job::List(id.clone()));
                    }
                }
                tags.push((id, t));
            }
        }
    }
    Ok((tree, tags, read))
}

async fn read_root(client: &Client) -> Result<Root, ApiError> {
    all_pages(|t| async move {
        let o = client
            .list_roots(
                &M,
                ListRootsInput {
                    next_token: t,
                    max_results: Some(ORG_PAGE),
                },
            )
            .await?;
        Ok((o.roots, o.next_token))
    })
    .await?
    .into_iter()
    .next()
    .ok_or_else(|| {
        ApiError::new(
            Operation::ListRoots,
            "OrgchardEndpointError",
            "the organization has no root",
        )
    })
}

async fn read_pending(client: &Client) -> Result<Vec<CreateAccountStatus>, ApiError> {
    all_pages(|t| async move {
        let o = client
            .list_create_account_status(
                &M,
                ListCreateAccountStatusInput {
                    states: vec![CreateAccountState::InProgress],
                    next_token: t,
                    max_results: Some(ORG_PAGE),
                },
            )
            .await?;
        Ok((o.create_account_statuses, o.next_token))
    })
    .await
}

async fn read_service_access(client: &Client) -> Result<BTreeSet<String>, ApiError> {
    Ok(all_pages(|t| async move {
        let o = client
            .list_aws_service_access_for_organization(
                &M,
                ListAwsServiceAccessForOrganizationInput {
                    next_token: t,
                    max_results: Some(ORG_PAGE),
                },
            )
            .await?;
        Ok((o.enabled_service_principals, o.next_token))
    })
    .await?
    .into_iter()
    .map(|s| s.service_principal)
    .collect())
}

async fn read_delegated_administrators(
    client: &Client,
) -> Result<BTreeSet<(String, String)>, ApiError> {
    let admins = all_pages(|t| async move {
        let o = client
            .list_delegated_administrators(
                &M,
                ListDelegatedAdministratorsInput {
                    service_principal: None,
                    next_token: t,
                    max_results: Some(ORG_PAGE),
                },
            )
            .await?;
        Ok((o.delegated_administrators, o.next_token))
    })
    .await?;
    let delegated: Vec<Vec<(String, String)>> = stream::iter(admins)
        .map(|admin| async move {
            let services = all_pages(|t| {
                let account_id = admin.id.clone();
                async move {
                    let o = client
                        .list_delegated_services_for_account(
                            &M,
                            ListDelegatedServicesForAccountInput {
                                account_id,
                                next_token: t,
                                max_results: Some(ORG_PAGE),
                            },
                        )
                        .await?;
                    Ok((o.delegated_services, o.next_token))
                }
            })
            .await?;
            Ok::<_, ApiError>(
                services
                    .into_iter()
                    .map(|s| (admin.id.clone(), s.service_principal))
                    .collect(),
            )
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(delegated.into_iter().flatten().collect())
}

type Tree = (BTreeMap<String, LiveOu>, BTreeMap<String, LiveAccount>);
type Tags = Vec<(String, BTreeMap<String, String>)>;

/// The tree under `root` (all of it, or the part `scope` names), the policies of every
/// enabled type, and the tags of the root and of everything found, as one pipeline: the walk
/// and the policy reads feed the tag reader as they go. Also what a partial walk read.
async fn read_tree_policies_and_tags(
    client: &Client,
    root: &Root,
    scope: &TreeScope<'_>,
    lock: &std::sync::Mutex<Option<FoundLock>>,
) -> Result<(Tree, BTreeMap<String, LivePolicy>, Tags, Option<NarrowRead>), ApiError> {
    let (to_tag, tag_queue) = mpsc::unbounded::<String>();
    // The root's tags do not wait for anything.
    let _ = to_tag.unbounded_send(root.id.clone());
    let walk = {
        let to_tag = to_tag.clone();
        async move {
            let walked = match scope {
                TreeScope::Whole => (
                    walk_tree(client, &root.id, &to_tag).await?,
                    Vec::new(),
                    None,
                ),
                // A partial walk reads its own tags: an OU's decide whether it is entered.
                _ => {
                    let (tree, tags, read) = walk_part_of_tree(client, &root.id, scope).await?;
                    (tree, tags, Some(read))
                }
            };
            drop(to_tag);
            Ok::<_, ApiError>(walked)
        }
    };
    let policies = {
        let to_tag = to_tag.clone();
        async move {
            let policies = read_policies(client, root, &to_tag, lock).await?;
            drop(to_tag);
            Ok::<_, ApiError>(policies)
        }
    };
    // The queue ends when the walk and the policy reads, its last senders, are done.
    drop(to_tag);
    let tags = tag_queue
        .map(|id| async move {
            let tags = read_tags(client, &id).await?;
            Ok::<_, ApiError>((id, tags))
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect::<Tags>();
    let ((tree, tree_tags, read), policies, mut tags) = futures::try_join!(walk, policies, tags)?;
    tags.extend(tree_tags);
    Ok((tree, policies, tags, read))
}

/// Walks the tree from `root_id`, listing each parent as soon as it is found rather than a
/// level at a time, and hands every OU and account to `to_tag` as it appears.
async fn walk_tree(
    client: &Client,
    root_id: &str,
    to_tag: &mpsc::UnboundedSender<String>,
) -> Result<Tree, ApiError> {
    let mut tree: Tree = (BTreeMap::new(), BTreeMap::new());
    let mut waiting = vec![root_id.to_string()];
    let mut listing = FuturesUnordered::new();
    loop {
        while listing.len() < CONCURRENCY {
            let Some(parent) = waiting.pop() else { break };
            listing.push(read_children(client, parent));
        }
        let Some(listed) = listing.next().await else {
            break;
        };
        let (parent, child_ous, child_accounts) = listed?;
        add_children(
            &mut tree,
            &parent,
            child_ous,
            child_accounts,
            |id, account| {
                if account.is_none() {
                    waiting.push(id.to_string());
                }
                let _ = to_tag.unbounded_send(id.to_string());
            },
        );
    }
    Ok(tree)
}

/// Adds a parent's listed children to `tree`, handing each child's id to `found` first (with
/// the account, for an account) so that the caller can queue its reads.
fn add_children(
    tree: &mut Tree,
    parent: &str,
    child_ous: Vec<OrganizationalUnit>,
    child_accounts: Vec<Account>,
    mut found: impl FnMut(&str, Option<&Account>),
) {
    for ou in child_ous {
        found(&ou.id, None);
        tree.0.insert(
            ou.id.clone(),
            LiveOu {
                ou,
                parent_id: parent.to_string(),
                tags: BTreeMap::new(),
            },
        );
    }
    for account in child_accounts {
        found(&account.id, Some(&account));
        tree.1.insert(
            account.id.clone(),
            LiveAccount {
                account,
                parent_id: parent.to_string(),
                tags: BTreeMap::new(),
            },
        );
    }
}

/// Policies of every type enabled on the root, with their documents and targets; each
/// customer policy goes to `to_tag` as soon as its type's listing returns.
async fn read_policies(
    client: &Client,
    root: &Root,
    to_tag: &mpsc::UnboundedSender<String>,
    lock: &std::sync::Mutex<Option<FoundLock>>,
) -> Result<BTreeMap<String, LivePolicy>, ApiError> {
    let types: Vec<String> = root
        .policy_types
        .iter()
        .filter(|t| t.status == PolicyTypeStatus::Enabled)
        .map(|t| t.r#type.clone())
        .collect();
    let summaries = stream::iter(types)
        .map(|filter| async move {
            all_pages(|t| {
                let filter = filter.clone();
                async move {
                    let o = client
                        .list_policies(
                            &M,
                            ListPoliciesInput {
                                filter,
                                next_token: t,
                                max_results: Some(ORG_PAGE),
                            },
                        )
                        .await?;
                    Ok((o.policies, o.next_token))
                }
            })
            .await
        })
        .buffer_unordered(CONCURRENCY)
        .map_ok(|summaries| {
            // The apply lock is no resource of anyone's: kept aside, never read further.
            let (locks, summaries): (Vec<_>, Vec<_>) = summaries
                .into_iter()
                .partition(|s| FoundLock::from_summary(s).is_some());
            if let Some(l) = locks.first().and_then(FoundLock::from_summary) {
                *lock.lock().unwrap_or_else(|p| p.into_inner()) = Some(l);
            }
            for s in summaries.iter().filter(|s| !s.aws_managed) {
                let _ = to_tag.unbounded_send(s.id.clone());
            }
            stream::iter(summaries.into_iter().map(Ok::<_, ApiError>))
        })
        .try_flatten();
    Ok(summaries
        .map_ok(|summary| read_policy(client, summary))
        .try_buffer_unordered(CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await?
        .into_iter()
        .map(|p| (p.summary.id.clone(), p))
        .collect())
}

async fn read_children(
    client: &Client,
    parent: String,
) -> Result<(String, Vec<OrganizationalUnit>, Vec<Account>), ApiError> {
    let ous = all_pages(|t| {
        let parent_id = parent.clone();
        async move {
            let o = client
                .list_organizational_units_for_parent(
                    &M,
                    ListOrganizationalUnitsForParentInput {
                        parent_id,
                        next_token: t,
                        max_results: Some(ORG_PAGE),
                    },
                )
                .await?;
            Ok((o.organizational_units, o.next_token))
        }
    });
    let accounts = all_pages(|t| {
        let parent_id = parent.clone();
        async move {
            let o = client
                .list_accounts_for_parent(
                    &M,
                    ListAccountsForParentInput {
                        parent_id,
                        next_token: t,
                        max_results: Some(ORG_PAGE),
                    },
                )
                .await?;
            Ok((o.accounts, o.next_token))
        }
    });
    let (ous, accounts) = futures::try_join!(ous, accounts)?;
    Ok((parent, ous, accounts))
}

async fn read_policy(client: &Client, summary: PolicySummary) -> Result<LivePolicy, ApiError> {
    let content = async {
        if summary.aws_managed {
            return Ok(None);
        }
        let o = client
            .describe_policy(
                &M,
                DescribePolicyInput {
                    policy_id: summary.id.clone(),
                },
            )
            .await?;
        Ok(Some(o.policy.content))
    };
    let targets = all_pages(|t| {
        let policy_id = summary.id.clone();
        async move {
            let o = client
                .list_targets_for_policy(
                    &M,
                    ListTargetsForPolicyInput {
                        policy_id,
                        next_token: t,
                        max_results: Some(ORG_PAGE),
                    },
                )
                .await?;
            Ok((o.targets, o.next_token))
        }
    });
    let (content, targets) = futures::try_join!(content, targets)?;
    Ok(LivePolicy {
        summary,
        content,
        tags: BTreeMap::new(),
        targets: targets.into_iter().map(|t| t.target_id).collect(),
    })
}

/// Every tag of an Organizations resource (root, OU, account or policy), every page read.
pub async fn read_tags(client: &Client, id: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let tags = all_pages(|t| {
        let resource_id = id.to_string();
        async move {
            let o = client
                .list_tags_for_resource(
                    &M,
                    ListTagsForResourceInput {
                        resource_id,
                        next_token: t,
                    },
                )
                .await?;
            Ok((o.tags, o.next_token))
        }
    })
    .await?;
    Ok(tags_to_map(&tags))
}

/// Reads the organization's apply lock, if any ([`crate::model::lock`]): the policies of the
/// lock's type, the one with the reserved name.
/// `Err(id)` when a policy has the name but is not a lock.
pub async fn read_lock(client: &Client) -> Result<Option<Result<FoundLock, String>>, ApiError> {
    let policies = all_pages(|t| async move {
        let o = client
            .list_policies(
                &M,
                ListPoliciesInput {
                    filter: crate::model::lock::LOCK_POLICY_TYPE.to_string(),
                    next_token: t,
                    max_results: Some(ORG_PAGE),
                },
            )
            .await?;
        Ok((o.policies, o.next_token))
    })
    .await?;
    Ok(policies
        .iter()
        .find(|p| crate::model::lock::is_lock_name(p))
        .map(|p| FoundLock::from_summary(p).ok_or_else(|| p.id.clone())))
}

/// Which roles to read in one account.
#[derive(Debug, Clone, Default)]
pub struct RoleQuery {
    /// Role names the configuration declares there: read in full.
    pub names: BTreeSet<String>,
}

/// Reads roles in the given accounts: one ListRoles walk per account, then, for every role
/// that is declared or may carry the ownership tag (not AWS's service-linked roles), its
/// tags, and for the declared or owned ones their managed and inline policies.
pub async fn read_roles(
    client: &Client,
    live: &mut LiveOrg,
    queries: &BTreeMap<String, RoleQuery>,
) -> Result<(), ApiError> {
    let management = live.organization.master_account_id.clone();
    type Read = (String, BTreeMap<String, LiveRole>, BTreeSet<String>);
    let results: Vec<Read> = stream::iter(queries.iter())
        .map(|(account_id, query)| {
            let scope = if *account_id == management {
                Scope::Management
            } else {
                Scope::Account(account_id.clone())
            };
            async move {
                let (roles, unowned) =
                    read_account_roles(client, &scope, account_id, query).await?;
                Ok::<_, ApiError>((account_id.clone(), roles, unowned))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    for (account_id, roles, unowned) in results {
        live.roles_read_in.insert(account_id.clone());
        live.unowned_roles.insert(account_id.clone(), unowned);
        live.roles.insert(account_id, roles);
    }
    Ok(())
}

async fn read_account_roles(
    client: &Client,
    scope: &Scope,
    account_id: &str,
    query: &RoleQuery,
) -> Result<(BTreeMap<String, LiveRole>, BTreeSet<String>), ApiError> {
    let roles = all_pages(|t| async move {
        let o = client
            .list_roles(
                scope,
                ListRolesInput {
                    path_prefix: None,
                    next_token: t,
                    max_results: Some(IAM_PAGE),
                },
            )
            .await?;
        Ok((o.roles, o.next_token))
    })
    .await?;
    let candidates: Vec<Role> = roles
        .into_iter()
        .filter(|r| may_be_owned(&r.path))
        .collect();
    let mut unowned: BTreeSet<String> = candidates.iter().map(|r| r.role_name.clone()).collect();
    let read: Vec<Option<LiveRole>> = stream::iter(candidates)
        .map(|role| read_role(client, scope, account_id, role, query))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    let read: BTreeMap<String, LiveRole> = read
        .into_iter()
        .flatten()
        .map(|r| (r.role.role_name.clone(), r))
        .collect();
    unowned.retain(|n| !read.contains_key(n));
    Ok((read, unowned))
}

/// Whether a role on this path may be orgchard's: AWS's service-linked and reserved (SSO)
/// roles never are, and their tags are not read.
pub fn may_be_owned(path: &str) -> bool {
    !path.starts_with("/aws-service-role/") && !path.starts_with("/aws-reserved/")
}

/// Every tag of the role `role_name` in the account `scope` names, every page read.
pub async fn read_role_tags(
    client: &Client,
    scope: &Scope,
    role_name: &str,
) -> Result<Vec<Tag>, ApiError> {
    all_pages(|t| async move {
        let o = client
            .list_role_tags(
                scope,
                ListRoleTagsInput {
                    role_name: role_name.to_string(),
                    next_token: t,
                    max_results: Some(IAM_PAGE),
                },
            )
            .await?;
        Ok((o.tags, o.next_token))
    })
    .await
}

async fn read_role(
    client: &Client,
    scope: &Scope,
    account_id: &str,
    mut role: Role,
    query: &RoleQuery,
) -> Result<Option<LiveRole>, ApiError> {
    let role_name = role.role_name.clone();
    let tags = read_role_tags(client, scope, &role_name).await?;
    let owned = tags
        .iter()
        .any(|t| t.key == crate::model::live::OWNERSHIP_TAG);
    if !owned && !query.names.contains(&role_name) {
        return Ok(None);
    }
    role.tags = tags;
    let managed = all_pages(|t| {
        let role_name = role_name.clone();
        async move {
            let o = client
                .list_attached_role_policies(
                    scope,
                    ListAttachedRolePoliciesInput {
                        role_name,
                        next_token: t,
                        max_results: Some(IAM_PAGE),
                    },
                )
                .await?;
            Ok((o.attached_policies, o.next_token))
        }
    });
    let inline_names = all_pages(|t| {
        let role_name = role_name.clone();
        async move {
            let o = client
                .list_role_policies(
                    scope,
                    ListRolePoliciesInput {
                        role_name,
                        next_token: t,
                        max_results: Some(IAM_PAGE),
                    },
                )
                .await?;
            Ok((o.policy_names, o.next_token))
        }
    });
    let (managed, inline_names) = futures::try_join!(managed, inline_names)?;
    let mut inline_policies = BTreeMap::new();
    for policy_name in inline_names {
        let o = client
            .get_role_policy(
                scope,
                GetRolePolicyInput {
                    role_name: role_name.clone(),
                    policy_name: policy_name.clone(),
                },
            )
            .await?;
        inline_policies.insert(policy_name, o.policy_document);
    }
    Ok(Some(LiveRole {
        account_id: account_id.to_string(),
        role,
        managed_policy_arns: managed.into_iter().map(|p| p.policy_arn).collect(),
        inline_policies,
    }))
}

/// The calls [`read_organization`] makes on an organization of this shape, per operation:
/// the reader's formula, for tests and for the closing figures.
pub fn expected_calls(live: &LiveOrg) -> BTreeMap<Operation, u64> {
    let pages = |n: usize| (n.max(1)).div_ceil(ORG_PAGE as usize) as u64;
    let mut calls = BTreeMap::new();
    let mut add = |op: Operation, n: u64| *calls.entry(op).or_insert(0) += n;
    add(Operation::DescribeOrganization, 1);
    add(Operation::ListRoots, 1);
    let mut parents = vec![live.root.id.clone()];
    parents.extend(live.ous.keys().cloned());
    for parent in &parents {
        let child_ous = live.ous.values().filter(|o| &o.parent_id == parent).count();
        let child_accounts = live
            .accounts
            .values()
            .filter(|a| &a.parent_id == parent)
            .count();
        add(
            Operation::ListOrganizationalUnitsForParent,
            pages(child_ous),
        );
        add(Operation::ListAccountsForParent, pages(child_accounts));
    }
    for t in live.enabled_policy_types() {
        let n = live
            .policies
            .values()
            .filter(|p| p.summary.r#type == t)
            .count();
        add(Operation::ListPolicies, pages(n));
    }
    let customer = live
        .policies
        .values()
        .filter(|p| !p.summary.aws_managed)
        .count() as u64;
    add(Operation::DescribePolicy, customer);
    for p in live.policies.values() {
        add(Operation::ListTargetsForPolicy, pages(p.targets.len()));
    }
    add(
        Operation::ListTagsForResource,
        1 + live.ous.len() as u64 + live.accounts.len() as u64 + customer,
    );
    add(
        Operation::ListAwsServiceAccessForOrganization,
        pages(live.service_access.len()),
    );
    let admins: BTreeSet<&String> = live
        .delegated_administrators
        .iter()
        .map(|(a, _)| a)
        .collect();
    add(Operation::ListDelegatedAdministrators, pages(admins.len()));
    for admin in &admins {
        let n = live
            .delegated_administrators
            .iter()
            .filter(|(a, _)| a == *admin)
            .count();
        add(Operation::ListDelegatedServicesForAccount, pages(n));
    }
    add(
        Operation::ListCreateAccountStatus,
        pages(live.pending_account_creations.len()),
    );
    calls
}

/// The calls [`read_roles`] makes for `queries`, per operation: the role half of the reader's
/// formula. It depends on roles the reader does not keep, so `listed` gives, per account, the
/// path of every role ListRoles returns there; the roles read in full are those in
/// `live.roles` (declared or owned). Per account: one AssumeRole when it is a member account
/// (the AWS backend caches the session; the emulator enters accounts without a call), the
/// ListRoles pages, one ListRoleTags per role that [`may_be_owned`]; per role read in full:
/// ListAttachedRolePolicies, ListRolePolicies and one GetRolePolicy per inline policy.
pub fn expected_role_calls(
    live: &LiveOrg,
    queries: &BTreeMap<String, RoleQuery>,
    listed: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<Operation, u64> {
    let iam_pages = |n: usize| (n.max(1)).div_ceil(IAM_PAGE as usize) as u64;
    let mut calls = BTreeMap::new();
    let mut add = |op: Operation, n: u64| {
        if n > 0 {
            *calls.entry(op).or_insert(0) += n;
        }
    };
    for account in queries.keys() {
        if *account != live.organization.master_account_id {
            add(Operation::AssumeRole, 1);
        }
        let paths = listed.get(account).map(Vec::as_slice).unwrap_or_default();
        add(Operation::ListRoles, iam_pages(paths.len()));
        let candidates = paths.iter().filter(|p| may_be_owned(p)).count() as u64;
        add(Operation::ListRoleTags, candidates);
        for role in live.roles.get(account).into_iter().flat_map(|r| r.values()) {
            add(Operation::ListAttachedRolePolicies, 1);
            add(Operation::ListRolePolicies, 1);
            add(Operation::GetRolePolicy, role.inline_policies.len() as u64);
        }
    }
    calls
}

/// The least time any reader needs for `calls` at `rate`: the largest, over operations, of
/// calls ÷ that operation's sustained rate, and the operation that sets it. Operations
/// without a rate are not counted.
pub fn rate_bound(
    calls: &std::collections::HashMap<Operation, u64>,
    rate: impl Fn(Operation) -> Option<crate::backend::client::Rate>,
) -> Option<(Operation, f64)> {
    calls
        .iter()
        .filter_map(|(op, n)| Some((*op, *n as f64 / rate(*op)?.per_second)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}
