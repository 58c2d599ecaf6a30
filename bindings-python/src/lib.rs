//! `picomcp._native`: the private native module of the `picomcp` Python package, a thin
//! pyo3 skin over the picomcp core's sans-IO API.
//!
//! Python registers descriptors, feeds bytes (stdio lines or HTTP connections), takes
//! calls as events and answers them by ticket with plain values; the core does everything
//! protocol-shaped (framing, JSON-RPC, both protocol eras, argument checking, listings,
//! errors, the JSON of every answer). Methods never call back into Python.
//!
//! Everything that does not depend on Python lives in `picomcp-engine` (shared with the
//! Node binding); here are only [`convert`] (Python values in and out) and [`server`]
//! (the `Server` class over the engine).

mod convert;
mod server;

use pyo3::prelude::*;

/// The module: the class `Server`, and the names the stubs give the plain tuples it
/// takes and gives (`Block`, `Contents`, `Event`: each is `tuple` at run time).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let tuple = m.py().get_type::<pyo3::types::PyTuple>();
    for name in ["Block", "Contents", "Event"] {
        m.add(name, &tuple)?;
    }
    m.add_class::<server::Server>()?;
    Ok(())
}
