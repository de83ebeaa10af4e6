//! Static preordering: ranks the items by a key string such as `WAT`.

use crate::model::Problem;
use crate::params::{Preordering, SortKey};
use crate::sweep::Sweep;

/// `rank[item]`: the item's position when sorted by the ordering's keys (each descending),
/// ties broken by input order. Without static preordering, input order is the rank.
pub(crate) fn ranks(problem: &Problem, sweep: &Sweep, ordering: Option<&Preordering>) -> Vec<u32> {
    let items = &sweep.items;
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    if let Some(ordering) = ordering {
        let section_totals: Vec<i64> = sweep
            .sections
            .iter()
            .map(|members| members.iter().map(|m| m.top - m.bottom).sum())
            .collect();
        let key = |item: u32, key: SortKey| -> i64 {
            let item = &items[item as usize];
            let buffer = &problem.buffers[item.index];
            let width = buffer.lifespan.width();
            match key {
                SortKey::Area => buffer.size.saturating_mul(width),
                SortKey::Sections => item.sections.len() as i64,
                SortKey::Lower => buffer.lifespan.lower,
                SortKey::Overlaps => item.neighbours.len() as i64,
                SortKey::SectionTotal => item
                    .sections
                    .iter()
                    .map(|member| section_totals[member.id as usize])
                    .max()
                    .unwrap_or(0),
                SortKey::Upper => buffer.lifespan.upper,
                SortKey::Width => width,
                SortKey::Size => buffer.size,
            }
        };
        let keys: Vec<Vec<i64>> = order
            .iter()
            .map(|&item| ordering.0.iter().map(|&k| key(item, k)).collect())
            .collect();
        // Larger keys first; the stable sort keeps input order among ties.
        order.sort_by(|&a, &b| keys[b as usize].cmp(&keys[a as usize]));
    }
    let mut rank = vec![0u32; items.len()];
    for (position, &item) in order.iter().enumerate() {
        rank[item as usize] = position as u32;
    }
    rank
}
