//! Scoped access (feature `access`): who a request comes from, and which descriptors that
//! caller may see.
//!
//! The host names callers with a [`Principal`] (set on stdio with
//! [`Server::set_principal`](crate::Server::set_principal); over HTTP returned by
//! [`Handler::authorize`](crate::Handler::authorize) for each request) and answers
//! [`Registry::visible`] per descriptor. A hidden descriptor is absent from its list and
//! unknown to calls, reads, prompts and completions: the caller gets exactly what it would
//! get had the descriptor never been registered.

use crate::json::Str;
use crate::server::registry::Registry;

/// Who a request comes from, as the host numbers its callers. `Principal::ANONYMOUS` (0)
/// is the default: a stdio peer the host named no one, or an HTTP request a host without
/// authorization let in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Principal(pub u32);

impl Principal {
    /// Nobody in particular (0).
    pub const ANONYMOUS: Self = Self(0);
}

/// A descriptor of the registry, by kind and index, as [`Registry::visible`] is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// Tool `index`.
    Tool(usize),
    /// Fixed resource `index`.
    Resource(usize),
    /// Resource template `index`.
    Template(usize),
    /// Prompt `index`.
    Prompt(usize),
}

/// Whether `principal` may see `item` (always, without the `access` feature).
#[inline(always)]
pub(crate) fn visible(reg: &dyn Registry, principal: Principal, item: Item) -> bool {
    #[cfg(feature = "access")]
    return reg.visible(principal, item);
    #[cfg(not(feature = "access"))]
    {
        let _ = (reg, principal, item);
        true
    }
}

/// The index of the tool named `name` that `principal` may see.
pub(crate) fn find_tool(reg: &dyn Registry, principal: Principal, name: Str<'_>) -> Option<usize> {
    reg.find_tool(name).filter(|&i| visible(reg, principal, Item::Tool(i)))
}

/// The index of the prompt named `name` that `principal` may see.
pub(crate) fn find_prompt(reg: &dyn Registry, principal: Principal, name: Str<'_>) -> Option<usize> {
    reg.find_prompt(name).filter(|&i| visible(reg, principal, Item::Prompt(i)))
}

/// The index of the resource with URI `uri` that `principal` may see.
pub(crate) fn find_resource(reg: &dyn Registry, principal: Principal, uri: Str<'_>) -> Option<usize> {
    reg.find_resource(uri).filter(|&i| visible(reg, principal, Item::Resource(i)))
}

/// Whether `principal` may see a completion's target: a prompt by name, or a resource
/// template (or fixed resource) by its exact URI (template).
#[cfg(feature = "access")]
pub(crate) fn reference_visible(reg: &dyn Registry, principal: Principal, prompt: bool, name: Str<'_>) -> bool {
    if prompt {
        return find_prompt(reg, principal, name).is_some();
    }
    let template = (0..reg.template_count()).any(|i| {
        reg.template(i).is_some_and(|t| name.eq_str(t.uri_template)) && visible(reg, principal, Item::Template(i))
    });
    template || find_resource(reg, principal, name).is_some()
}
