//! A group of scrollback blocks. The scrollback holds a few dozen groups
//! rather than hundreds of blocks, so adding a line lays out and compares
//! one group's blocks, not all of them; a group whose blocks did not change
//! is not rendered again, and one out of view is not laid out.

use std::rc::Rc;

use yew::prelude::*;

use super::block::Block;
use super::ByAddress;
use crate::terminal::scrollback;

/// Blocks per group: 16 blocks of 256 lines.
pub const GROUP_SIZE: u64 = 16;

#[derive(Properties, Clone)]
pub struct BlockGroupProps {
    pub blocks: Vec<scrollback::Block>,
    pub explain: bool,
}

impl PartialEq for BlockGroupProps {
    fn eq(&self, other: &Self) -> bool {
        self.explain == other.explain
            && self.blocks.len() == other.blocks.len()
            && self
                .blocks
                .iter()
                .zip(&other.blocks)
                .all(|(a, b)| a.id == b.id && Rc::ptr_eq(&a.lines, &b.lines))
    }
}

#[function_component(BlockGroup)]
pub fn block_group(props: &BlockGroupProps) -> Html {
    let blocks = props.blocks.iter().map(|block| {
        html! { <Block key={block.id} id={block.id} lines={ByAddress(Rc::clone(&block.lines))} explain={props.explain} /> }
    });
    html! { <div class="group">{ for blocks }</div> }
}
