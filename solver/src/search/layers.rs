//! **Layers** (`SolverParams::layers`, bufpack's own): a problem full to its height at every
//! instant, split into layers stacked one on another, each packed on its own.
//!
//! Where the live sizes add up to the same height `H` at every instant of a run (the buffers
//! between two instants that no buffer crosses), a packing at `H` leaves no byte free. A set
//! of the run's buffers whose own load is the same, `h`, at every instant of the run is a
//! *layer*: packed on its own within `[0, h)`, with the rest packed within `[0, H - h)` and
//! lifted by `h`, the two make a packing at `H`. So where a run has such a set it splits into
//! smaller problems of the same kind, and each of those again at its own runs and layers,
//! down to *leaves* that split no more, which the exact search packs. A rectangle cut across
//! time or across memory again and again (`cargo xtask gen --family rect`, MiniMalloc's kind
//! of benchmark) splits this way at each of its cuts across memory, since that is a layer.
//!
//! Finding layers: at an instant inside a run, the sizes of the buffers that end there add up
//! to those of the buffers that start there (the load does not change), and a layer takes
//! some of each, again in balance. So each instant's enders and starters fall into *groups*
//! in balance, the smallest found by a subset-sum search (meet in the middle on up to
//! [`MEET_MEMBERS`], else a table of the sums reachable when the sizes add up to little). The
//! buffers of a group go into one layer, and each buffer's groups at its start and at its end
//! tie its layer together over time (union-find; an instant is searched with the buffers
//! already tied taken as one). Every set so tied is in balance at every instant, so it is a
//! layer. Instants with fewest members go first; where no search is cheap enough, all of an
//! instant's buffers tie together, which is always in balance and finds fewer layers. Where
//! the ties leave a run whole, a layer may still be carved out of it by a search over which
//! buffers it takes ([`carve`], `layers/carve.rs`).
//!
//! Where several partitions balance (small or equal sizes), a group is a guess, and a wrong
//! guess can make a layer that does not pack at its height: its leaf's search fails, and so
//! does the split. That proves nothing, like every failure here: the split is only ever a
//! way to a packing, tried before the portfolio with the leaves' searches within a counted
//! budget, and a packing it gives is validated before it is an answer. Problems with
//! alignment, fixed buffers or gaps are left alone.

use crate::model::{Buffer, Offset, Problem, Solution, Time};
use crate::sort::{sort_by_i64_key, sort_pairs};
use crate::validate::validate;

mod carve;
use carve::{carve, Carved};
pub(crate) use carve::{Pick, PICKS};

/// A problem split into layers: parts side by side in time (runs) and stacked in memory
/// (layers), down to leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    /// The tree, its root first.
    nodes: Vec<Node>,
    pub(crate) leaves: Vec<Leaf>,
    /// Whether carving (`carve.rs`) found a layer or ran out of cells somewhere: only then
    /// may another pick split otherwise (where it proved there is none, so would they).
    pub(crate) carving: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    /// Runs side by side in time: as high as the highest.
    Runs(Vec<usize>),
    /// Layers stacked, the first lowest: as high as all together.
    Layers(Vec<usize>),
    /// A leaf of [`Split::leaves`].
    Leaf(usize),
}

/// A leaf of the split: buffers of the problem (by index) whose load is `height` at every
/// instant of their run, which splits no further.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Leaf {
    pub(crate) height: Offset,
    pub(crate) members: Vec<u32>,
}

impl Leaf {
    /// The leaf as a problem of its own (capacity: its height), its members in order.
    pub(crate) fn problem(&self, problem: &Problem) -> Problem {
        let buffers = self
            .members
            .iter()
            .map(|&i| {
                let b = &problem.buffers[i as usize];
                Buffer::new(b.id.clone(), b.lifespan.lower, b.lifespan.upper, b.size)
            })
            .collect();
        Problem::new(buffers, self.height)
    }
}

/// Most members of an instant searched by meet in the middle (2^12 subsets a half).
const MEET_MEMBERS: usize = 24;
/// Most cells (members times reachable sums) of one instant's table search, and of all of
/// a split's together: the tables of a split cost at most a few hundredths of a second.
const TABLE_CELLS: u64 = 1 << 24;
const SPLIT_CELLS: u64 = 1 << 25;
/// Most work (table words and nodes) of a split's carving (`carve.rs`) together.
const CARVE_CELLS: u64 = 1 << 28;

/// `problem` split into layers at `height`, or `None` where the split does not apply (a
/// buffer aligned, fixed or with gaps; a run whose load changes or is above `height`) or no
/// run has two layers. Buffers that occupy nothing are in no leaf. With a `pick`, a run the
/// ties leave whole is carved into two where a layer is found within the budget.
pub(crate) fn split(problem: &Problem, height: Offset, pick: Option<Pick>) -> Option<Split> {
    let plain = |b: &Buffer| b.alignment == 1 && b.offset.is_none() && b.gaps.is_empty();
    if !problem.buffers.iter().all(plain) {
        return None;
    }
    let all: Vec<u32> = (0..problem.buffers.len() as u32)
        .filter(|&i| problem.buffers[i as usize].size > 0)
        .collect();
    let mut cells = SPLIT_CELLS;
    let mut carve_cells = CARVE_CELLS;
    let mut split = Split {
        nodes: vec![Node::Runs(Vec::new())],
        leaves: Vec::new(),
        carving: false,
    };
    // A set of buffers and the node (a placeholder) its runs go in.
    let mut work = vec![(all, 0)];
    let mut layered = false;
    while let Some((set, at)) = work.pop() {
        let mut runs_here = Vec::new();
        for run in runs(problem, set) {
            let run_height = flat_height(problem, &run)?;
            if at == 0 && run_height > height {
                return None;
            }
            let mut layers = if run.len() > 1 {
                layers_of(problem, &run, &mut cells)
            } else {
                vec![run.clone()]
            };
            // Where the ties leave the run whole, a layer may still be carved out of it.
            if let (1, true, Some(pick)) = (layers.len(), run.len() > 1, pick) {
                match carve(problem, &run, pick, &mut carve_cells) {
                    Carved::Layer(layer) => {
                        split.carving = true;
                        let rest = rest_of(&run, &layer);
                        layers = vec![layer, rest];
                    }
                    // Another pick may find what this one had no cells for.
                    Carved::OutOfCells => split.carving = true,
                    // A proof: every pick finds none.
                    Carved::None => {}
                }
            }
            if layers.len() == 1 {
                split.leaves.push(Leaf {
                    height: run_height,
                    members: run,
                });
                split.nodes.push(Node::Leaf(split.leaves.len() - 1));
                runs_here.push(split.nodes.len() - 1);
                continue;
            }
            layered = true;
            let mut stacked = Vec::with_capacity(layers.len());
            for layer in layers {
                split.nodes.push(Node::Runs(Vec::new()));
                stacked.push(split.nodes.len() - 1);
                work.push((layer, split.nodes.len() - 1));
            }
            split.nodes.push(Node::Layers(stacked));
            runs_here.push(split.nodes.len() - 1);
        }
        split.nodes[at] = Node::Runs(runs_here);
    }
    layered.then_some(split)
}

/// Which leaves to pack first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeafOrder {
    /// A decision: a leaf that fails ends the attempt, so the likeliest to fail first.
    LargestFirst,
    /// A minimisation: every leaf is packed, the cheap ones first.
    SmallestFirst,
}

/// Packs `problem` from its `split`: each leaf of one buffer alone, the others by
/// `pack_leaf` (the leaf as a problem of its own, [`Leaf::problem`]; `None` gives up), in
/// `order`. A leaf packed higher than its height lifts the layers above it. The packing is
/// validated; buffers that occupy nothing rest at their hint or 0.
pub(crate) fn pack(
    problem: &Problem,
    split: &Split,
    order: LeafOrder,
    pack_leaf: &mut dyn FnMut(&Problem) -> Option<Vec<Offset>>,
) -> Option<Solution> {
    let mut by_size: Vec<usize> = (0..split.leaves.len()).collect();
    sort_by_i64_key(&mut by_size, |&l| split.leaves[l].members.len() as i64);
    if order == LeafOrder::LargestFirst {
        by_size.reverse();
    }
    let mut within: Vec<Vec<Offset>> = vec![Vec::new(); split.leaves.len()];
    let mut leaf_height = vec![0; split.leaves.len()];
    for l in by_size {
        let leaf = &split.leaves[l];
        within[l] = match leaf.members[..] {
            [_] => vec![0],
            _ => pack_leaf(&leaf.problem(problem))?,
        };
        leaf_height[l] = leaf
            .members
            .iter()
            .zip(&within[l])
            .map(|(&i, &offset)| offset + problem.buffers[i as usize].size)
            .max()
            .unwrap_or(0);
    }
    // The tree in preorder, so that every node comes after its parent.
    let mut preorder = Vec::with_capacity(split.nodes.len());
    let mut stack = vec![0];
    while let Some(at) = stack.pop() {
        preorder.push(at);
        if let Node::Runs(children) | Node::Layers(children) = &split.nodes[at] {
            stack.extend(children);
        }
    }
    let mut node_height = vec![0; split.nodes.len()];
    for &at in preorder.iter().rev() {
        node_height[at] = match &split.nodes[at] {
            Node::Runs(children) => children.iter().map(|&c| node_height[c]).max().unwrap_or(0),
            Node::Layers(children) => children.iter().map(|&c| node_height[c]).sum(),
            Node::Leaf(l) => leaf_height[*l],
        };
    }
    let mut offsets: Vec<Offset> = problem
        .buffers
        .iter()
        .map(|b| b.resting_offset(node_height[0]))
        .collect();
    let mut base = vec![0; split.nodes.len()];
    for &at in &preorder {
        match &split.nodes[at] {
            Node::Runs(children) => children.iter().for_each(|&c| base[c] = base[at]),
            Node::Layers(children) => {
                let mut floor = base[at];
                for &c in children {
                    base[c] = floor;
                    floor += node_height[c];
                }
            }
            Node::Leaf(l) => {
                for (&i, &offset) in split.leaves[*l].members.iter().zip(&within[*l]) {
                    offsets[i as usize] = base[at] + offset;
                }
            }
        }
    }
    let solution = Solution::from_offsets(problem, offsets);
    // Leaves packed high can lift the whole above the capacity; nothing else may fail.
    let within_capacity = solution.height <= problem.capacity;
    let valid = within_capacity && validate(problem, &solution).is_ok();
    debug_assert!(!within_capacity || valid, "layers stack into a packing");
    valid.then_some(solution)
}

/// The members of `run` not in `layer` (a subset of it; both in order of start).
fn rest_of(run: &[u32], layer: &[u32]) -> Vec<u32> {
    let mut taken = layer.iter().peekable();
    run.iter()
        .filter(|&&i| taken.next_if_eq(&&i).is_none())
        .copied()
        .collect()
}

fn start_of(problem: &Problem, run: &[u32]) -> Time {
    run.iter()
        .map(|&i| problem.buffers[i as usize].lifespan.lower)
        .min()
        .unwrap_or(0)
}

/// `set` cut at the instants no buffer of it crosses, each run in order of start.
fn runs(problem: &Problem, mut set: Vec<u32>) -> Vec<Vec<u32>> {
    let life = |i: u32| problem.buffers[i as usize].lifespan;
    sort_by_i64_key(&mut set, |&i| life(i).lower);
    let mut runs: Vec<Vec<u32>> = Vec::new();
    let mut end = Time::MIN;
    for i in set {
        if life(i).lower >= end {
            runs.push(Vec::new());
        }
        end = end.max(life(i).upper);
        runs.last_mut().expect("a run was opened").push(i);
    }
    runs
}

/// The load of `run`'s buffers if it is the same at every instant of the run.
fn flat_height(problem: &Problem, run: &[u32]) -> Option<Offset> {
    let mut changes: Vec<(Time, Offset)> = Vec::with_capacity(2 * run.len());
    for &i in run {
        let b = &problem.buffers[i as usize];
        changes.push((b.lifespan.lower, b.size));
        changes.push((b.lifespan.upper, -b.size));
    }
    sort_pairs(&mut changes);
    let mut load = 0;
    let mut height = None;
    let mut at = 0;
    while at < changes.len() {
        let time = changes[at].0;
        while at < changes.len() && changes[at].0 == time {
            load += changes[at].1;
            at += 1;
        }
        if at == changes.len() {
            break;
        }
        if *height.get_or_insert(load) != load {
            return None;
        }
    }
    height
}

/// The layers of a run with more than one buffer (one when it has no two), each in the
/// order of its first member, in the order of those.
fn layers_of(problem: &Problem, run: &[u32], cells: &mut u64) -> Vec<Vec<u32>> {
    let start = start_of(problem, run);
    let end = run
        .iter()
        .map(|&i| problem.buffers[i as usize].lifespan.upper)
        .max()
        .unwrap_or(start);
    // (instant, member signed by its size): each buffer starts or ends inside the run at
    // most once. Pairs of i64, a type the crate already sorts (`crate::sort`: each sort
    // instantiated costs the .wasm kilobytes).
    let mut events: Vec<(Time, i64)> = Vec::new();
    for (member, &i) in run.iter().enumerate() {
        let b = &problem.buffers[i as usize];
        if b.lifespan.lower > start {
            events.push((b.lifespan.lower, 2 * member as i64));
        }
        if b.lifespan.upper < end {
            events.push((b.lifespan.upper, 2 * member as i64 + 1));
        }
    }
    events.sort_unstable();
    // (instant, net size, member).
    let events: Vec<(Time, Offset, u32)> = events
        .into_iter()
        .map(|(time, code)| {
            let member = (code / 2) as usize;
            let size = problem.buffers[run[member] as usize].size;
            (
                time,
                if code % 2 == 0 { size } else { -size },
                member as u32,
            )
        })
        .collect();
    // Each instant as (first, end) of its events, fewest events first.
    let mut instants: Vec<(usize, usize)> = Vec::new();
    let mut first = 0;
    for at in 1..=events.len() {
        if at == events.len() || events[at].0 != events[first].0 {
            instants.push((first, at));
            first = at;
        }
    }
    sort_by_i64_key(&mut instants, |&(first, end)| (end - first) as i64);
    let mut ties = Ties::new(run.len());
    let mut later = Vec::new();
    for (first, end) in instants {
        if !ties.balance(&events[first..end], cells, false) {
            later.push((first, end));
        }
    }
    for (first, end) in later {
        ties.balance(&events[first..end], cells, true);
    }
    let mut layer_of = vec![u32::MAX; run.len()];
    let mut layers: Vec<Vec<u32>> = Vec::new();
    for (member, &i) in run.iter().enumerate() {
        let root = ties.find(member as u32) as usize;
        if layer_of[root] == u32::MAX {
            layer_of[root] = layers.len() as u32;
            layers.push(Vec::new());
        }
        layers[layer_of[root] as usize].push(i);
    }
    layers
}

/// Which members must share a layer (union-find over a run's members).
struct Ties {
    parent: Vec<u32>,
}

impl Ties {
    fn new(members: usize) -> Self {
        Ties {
            parent: (0..members as u32).collect(),
        }
    }

    fn find(&mut self, mut member: u32) -> u32 {
        while self.parent[member as usize] != member {
            let grand = self.parent[self.parent[member as usize] as usize];
            self.parent[member as usize] = grand;
            member = grand;
        }
        member
    }

    fn tie(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        self.parent[a.max(b) as usize] = a.min(b);
    }

    /// Ties one instant's enders and starters (`events`) group by group, the smallest group
    /// in balance first, taking the members already tied as one. Returns `false`, leaving the
    /// rest for later, where no search is cheap enough; with `force` it ties that rest
    /// together instead.
    fn balance(&mut self, events: &[(Time, Offset, u32)], cells: &mut u64, force: bool) -> bool {
        // (root, net size), by root.
        let mut nets: Vec<(i64, Offset)> = events
            .iter()
            .map(|e| (self.find(e.2) as i64, e.1))
            .collect();
        nets.sort_unstable();
        nets.dedup_by(|next, kept| {
            let same = next.0 == kept.0;
            if same {
                kept.1 += next.1;
            }
            same
        });
        nets.retain(|n| n.1 != 0);
        while !nets.is_empty() {
            let weights: Vec<Offset> = nets.iter().map(|n| n.1).collect();
            let group = match smallest_balanced(&weights, cells) {
                Some(group) => group,
                None if force => (0..nets.len()).collect(),
                None => return false,
            };
            for &at in &group[1..] {
                self.tie(nets[group[0]].0 as u32, nets[at].0 as u32);
            }
            let mut at = 0;
            nets.retain(|_| {
                at += 1;
                !group.contains(&(at - 1))
            });
        }
        true
    }
}

/// The positions of a smallest nonempty subset of `weights` (nonzero, adding up to zero)
/// that adds up to zero, or `None` where that search would cost too much.
fn smallest_balanced(weights: &[Offset], cells: &mut u64) -> Option<Vec<usize>> {
    if weights.len() <= 2 {
        return Some((0..weights.len()).collect());
    }
    if weights.len() <= MEET_MEMBERS {
        return Some(meet_in_the_middle(weights));
    }
    let range: u64 = weights.iter().map(|w| w.unsigned_abs()).sum::<u64>() + 1;
    let cost = range.saturating_mul(weights.len() as u64);
    if cost > TABLE_CELLS || cost > *cells {
        return None;
    }
    *cells -= cost;
    Some(table(weights, range as usize))
}

/// Every subset of each half, summed; a subset of the first half met with one of the second
/// whose sum is its negation.
fn meet_in_the_middle(weights: &[Offset]) -> Vec<usize> {
    let half = weights.len() / 2;
    let sums = |part: &[Offset]| {
        let mut sums = vec![0; 1 << part.len()];
        for mask in 1..sums.len() {
            sums[mask] = sums[mask & (mask - 1)] + part[mask.trailing_zeros() as usize];
        }
        sums
    };
    let (left, right) = (sums(&weights[..half]), sums(&weights[half..]));
    // Nonempty left subsets by sum, then size (the smallest for a sum comes first) and mask:
    // `size << 16 | mask` (a half has at most 12 weights).
    let mut by_sum: Vec<(Offset, i64)> = (1..left.len())
        .map(|mask| (left[mask], i64::from(mask.count_ones()) << 16 | mask as i64))
        .collect();
    by_sum.sort_unstable();
    let lookup = |sum: Offset| {
        let at = by_sum.partition_point(|e| e.0 < sum);
        by_sum.get(at).filter(|e| e.0 == sum)
    };
    let mut best: Option<(u32, usize, usize)> = None;
    for (mask, &sum) in right.iter().enumerate() {
        let size = mask.count_ones();
        let mut offer = |left_size: u32, left_mask: usize| {
            if best.is_none_or(|b| left_size + size < b.0) {
                best = Some((left_size + size, left_mask, mask));
            }
        };
        if mask != 0 && sum == 0 {
            offer(0, 0);
        }
        if let Some(&(_, packed)) = lookup(-sum) {
            offer((packed >> 16) as u32, (packed & 0xffff) as usize);
        }
    }
    let (_, left_mask, right_mask) = best.expect("all the weights together add up to zero");
    (0..half)
        .filter(|&i| left_mask >> i & 1 == 1)
        .chain((half..weights.len()).filter(|&i| right_mask >> (i - half) & 1 == 1))
        .collect()
}

/// The fewest weights reaching each sum in `range` (offset by the negative weights' total),
/// one weight at a time, with a bit for each weight and sum where the weight improved it;
/// read back from zero.
fn table(weights: &[Offset], range: usize) -> Vec<usize> {
    const NONE: u16 = u16::MAX;
    let shift: usize = weights
        .iter()
        .filter(|&&w| w < 0)
        .map(|w| -w as usize)
        .sum();
    let words = range.div_ceil(64);
    let mut fewest = vec![NONE; range];
    let mut improved = vec![0u64; words * weights.len()];
    for (at, &weight) in weights.iter().enumerate() {
        let bits = &mut improved[at * words..(at + 1) * words];
        let step = weight.unsigned_abs() as usize;
        let mut relax = |sum: usize, from: usize, fewest: &mut [u16]| {
            let through = fewest[from].saturating_add(1);
            if fewest[from] != NONE && through < fewest[sum] {
                fewest[sum] = through;
                bits[sum / 64] |= 1 << (sum % 64);
            }
        };
        // In place, reading only sums this weight has not yet changed.
        if weight > 0 {
            for sum in (step..range).rev() {
                relax(sum, sum - step, &mut fewest);
            }
        } else {
            for sum in 0..range - step {
                relax(sum, sum + step, &mut fewest);
            }
        }
        let alone = (shift as Offset + weight) as usize;
        if fewest[alone] > 1 {
            fewest[alone] = 1;
            bits[alone / 64] |= 1 << (alone % 64);
        }
    }
    let mut group = Vec::new();
    let (mut sum, mut count, mut before) = (shift, fewest[shift], weights.len());
    loop {
        let at = (0..before)
            .rev()
            .find(|&at| improved[at * words + sum / 64] >> (sum % 64) & 1 == 1)
            .expect("every count reached was set by some weight");
        group.push(at);
        if count == 1 {
            break;
        }
        sum = (sum as Offset - weights[at]) as usize;
        count -= 1;
        before = at;
    }
    group
}

#[cfg(test)]
mod tests;
