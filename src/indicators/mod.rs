//! Access indicators computed from catchment-bounded and multi-source searches, never from a
//! dense origin × site matrix (DOMAIN.md, "Indicators"):
//!
//! - [`nearest`]: time and network length to the nearest (or *k*-th nearest) site of a
//!   category, for every origin in one multi-source search;
//! - [`coverage`]: sites and capacity reached within several thresholds in one sweep;
//! - [`fca`]: 2SFCA, E2SFCA and kernel variants ([`kernel`]), chosen by name ([`method`]);
//!   [`apl`]: the DREES APL;
//!   [`commune_level`]: the same between communes, chef-lieu to chef-lieu (DREES);
//! - [`catchment`]: where the travel times come from — the road network, or a table the
//!   analyst brings — so that everything after the searches is one code path;
//! - [`deficit`]: the ICC's missing specialists as a share of those present;
//! - [`suggest`]: where to add supply — greedy choice of candidate sites for an objective;
//! - [`zonage`]: the zonage classifications, applied in turn by [`zonage_schemes`].

pub mod apl;
pub mod catchment;
pub mod commune_level;
pub mod coverage;
pub mod deficit;
pub mod fca;
pub mod icc;
pub mod kernel;
pub mod method;
pub mod nearest;
pub mod suggest;
pub mod zonage;
pub mod zonage_schemes;

pub use apl::{apl, AplRules, AplSupply};
pub use catchment::{Catchments, NetworkCatchments, TimesCatchments};
pub use coverage::{coverage, Coverage};
pub use fca::{floating_catchment, FcaError, FcaResult, FcaSpec};
pub use kernel::{Band, BoundSide, Kernel};
pub use nearest::{nearest_sites, Reached};
