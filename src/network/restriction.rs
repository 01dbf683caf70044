//! Turn restrictions read from OSM relations (`type=restriction`, OSM wiki
//! `Relation:restriction`), filtered for the profile's mode.
//!
//! A relation is kept when its `restriction:<mode>` tag (for the first of the profile's
//! [`Profile::restriction_modes`] present) or else its `restriction` tag names a `no_*` or
//! `only_*` value, and no mode of the profile is listed in `except`. Its members must be
//! `from` ways, one `via` node and `to` ways. Relations left out are counted by reason
//! ("turn restriction via a way (not applied)"…) in the build report, like the ways a
//! profile leaves out; OSRM's `restriction_parser.cpp` reads the same tags the same way.
//! Junctions are split for the kept ones by [`super::turns`].

use super::profile::Profile;
use super::raw::RestrictionKind;

/// The kind of an OSM relation member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberType {
    /// A node.
    Node,
    /// A way.
    Way,
    /// A relation.
    Relation,
}

/// A restriction relation whose tags apply to the profile, members still OSM ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsmRestriction {
    /// Relation id.
    pub id: i64,
    /// `no_*` or `only_*`.
    pub kind: RestrictionKind,
    /// `from` way ids.
    pub from: Vec<i64>,
    /// The `via` node id.
    pub via: i64,
    /// `to` way ids.
    pub to: Vec<i64>,
}

/// Reads relation `id` with `tags` and `members` (`(type, id, role)`) as a turn
/// restriction for `profile`: `None` when it is no restriction relation or the profile
/// reads none (empty `restriction_modes`), `Some(Err(reason))` when it is one the engine
/// leaves out (the reason is for the build report).
pub fn parse_restriction<'a>(
    profile: &Profile,
    id: i64,
    tags: &[(&'a str, &'a str)],
    members: impl IntoIterator<Item = (MemberType, i64, &'a str)>,
) -> Option<Result<OsmRestriction, &'static str>> {
    let modes = &profile.restriction_modes;
    let tag = |k: &str| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let is_restriction = tag("type").is_some_and(|t| {
        t == "restriction"
            || t.strip_prefix("restriction:")
                .is_some_and(|m| modes.iter().any(|x| x == m))
    });
    if modes.is_empty() || !is_restriction {
        return None;
    }
    Some(restriction_of(modes, id, &tag, members))
}

fn restriction_of<'a>(
    modes: &[String],
    id: i64,
    tag: &dyn Fn(&str) -> Option<&'a str>,
    members: impl IntoIterator<Item = (MemberType, i64, &'a str)>,
) -> Result<OsmRestriction, &'static str> {
    let value = modes
        .iter()
        .find_map(|m| tag(&format!("restriction:{m}")))
        .or_else(|| tag("restriction"))
        .ok_or("turn restriction for other modes")?;
    if tag("except").is_some_and(|e| e.split(';').any(|x| modes.iter().any(|m| m == x.trim()))) {
        return Err("turn restriction with except= the profile's mode");
    }
    let kind = match value.trim().split('_').next() {
        Some("no") => RestrictionKind::No,
        Some("only") => RestrictionKind::Only,
        _ => return Err("turn restriction with a value other than no_* or only_*"),
    };
    let (mut from, mut to, mut via_nodes, mut via_ways) = (Vec::new(), Vec::new(), 0, 0);
    let mut via = 0;
    for (ty, member, role) in members {
        match (ty, role) {
            (MemberType::Way, "from") => from.push(member),
            (MemberType::Way, "to") => to.push(member),
            (MemberType::Node, "via") => {
                via = member;
                via_nodes += 1;
            }
            (MemberType::Way, "via") => via_ways += 1,
            _ => {}
        }
    }
    if via_ways > 0 && via_nodes == 0 {
        return Err("turn restriction via a way (not applied)");
    }
    if from.is_empty() || to.is_empty() || via_nodes != 1 || via_ways > 0 {
        return Err("turn restriction without from way, one via node and to way");
    }
    Ok(OsmRestriction {
        id,
        kind,
        from,
        via,
        to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car() -> Profile {
        Profile::builtin("car").unwrap()
    }

    fn members() -> Vec<(MemberType, i64, &'static str)> {
        vec![
            (MemberType::Way, 1, "from"),
            (MemberType::Node, 5, "via"),
            (MemberType::Way, 2, "to"),
        ]
    }

    #[test]
    fn values_modes_and_exceptions() {
        let p = car();
        let parse = |tags: &[(&str, &str)]| parse_restriction(&p, 9, tags, members());
        let r = parse(&[("type", "restriction"), ("restriction", "no_left_turn")]);
        let r = r.unwrap().unwrap();
        assert_eq!(
            (r.kind, r.from, r.via, r.to),
            (RestrictionKind::No, vec![1], 5, vec![2])
        );
        let r = parse(&[("type", "restriction"), ("restriction", "only_straight_on")]);
        assert_eq!(r.unwrap().unwrap().kind, RestrictionKind::Only);
        // The mode's own tag wins over the general one.
        let r = parse(&[
            ("type", "restriction"),
            ("restriction", "no_right_turn"),
            ("restriction:motorcar", "only_right_turn"),
        ]);
        assert_eq!(r.unwrap().unwrap().kind, RestrictionKind::Only);
        assert_eq!(
            parse(&[("type", "restriction"), ("restriction:hgv", "no_left_turn")]),
            Some(Err("turn restriction for other modes"))
        );
        assert_eq!(
            parse(&[
                ("type", "restriction"),
                ("restriction", "no_left_turn"),
                ("except", "bicycle;motorcar")
            ]),
            Some(Err("turn restriction with except= the profile's mode"))
        );
        assert_eq!(parse(&[("type", "route")]), None);
        let walk = Profile::builtin("walk").unwrap();
        let tags = [("type", "restriction"), ("restriction", "no_left_turn")];
        assert_eq!(parse_restriction(&walk, 9, &tags, members()), None);
    }

    #[test]
    fn members_must_be_from_via_node_to() {
        let p = car();
        let tags = [("type", "restriction"), ("restriction", "no_u_turn")];
        let via_way = vec![
            (MemberType::Way, 1, "from"),
            (MemberType::Way, 3, "via"),
            (MemberType::Way, 2, "to"),
        ];
        assert_eq!(
            parse_restriction(&p, 1, &tags, via_way),
            Some(Err("turn restriction via a way (not applied)"))
        );
        let no_to = members().into_iter().take(2);
        assert_eq!(
            parse_restriction(&p, 1, &tags, no_to),
            Some(Err(
                "turn restriction without from way, one via node and to way"
            ))
        );
    }
}
