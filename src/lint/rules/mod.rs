//! The rules, one module each: what each flags, why
//! it is dangerous, the safe way, and tests with SQL that must and must not trigger it.

mod adding_key_without_index;
mod adding_required_column;
mod adding_volatile_default;
mod changing_column_type;
mod concurrently_in_transaction;
mod constraint_missing_not_valid;
mod domain_constraint;
mod dropping;
mod grant_to_public;
mod non_idempotent_without_transaction;
mod policy_using_true;
mod prefer_bigint_keys;
mod prefer_identity;
mod prefer_text_over_varchar;
mod prefer_timestamptz;
mod renaming;
mod require_concurrent_index_creation;
mod require_concurrent_index_deletion;
mod require_lock_timeout;
mod security_definer_search_path;
mod setting_not_null;
mod table_without_rls;
mod transaction_control;
mod truncate_cascade;

use super::Rule;

/// Every rule, in the order findings are listed for a statement.
pub static ALL: &[&dyn Rule] = &[
    &adding_volatile_default::AddingVolatileDefault,
    &adding_required_column::AddingRequiredColumn,
    &constraint_missing_not_valid::ConstraintMissingNotValid,
    &adding_key_without_index::AddingKeyWithoutIndex,
    &changing_column_type::ChangingColumnType,
    &require_concurrent_index_creation::RequireConcurrentIndexCreation,
    &require_concurrent_index_deletion::RequireConcurrentIndexDeletion,
    &concurrently_in_transaction::ConcurrentlyInTransaction,
    &renaming::Renaming,
    &dropping::Dropping,
    &setting_not_null::SettingNotNull,
    &require_lock_timeout::RequireLockTimeout,
    &transaction_control::TransactionControl,
    &truncate_cascade::TruncateCascade,
    &domain_constraint::DomainConstraint,
    &prefer_text_over_varchar::PreferText,
    &prefer_bigint_keys::PreferBigintKeys,
    &prefer_identity::PreferIdentity,
    &prefer_timestamptz::PreferTimestamptz,
    &non_idempotent_without_transaction::NonIdempotentWithoutTransaction,
    &table_without_rls::TableWithoutRls,
    &policy_using_true::PolicyUsingTrue,
    &security_definer_search_path::SecurityDefinerSearchPath,
    &grant_to_public::GrantToPublic,
];
