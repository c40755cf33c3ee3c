//! A small DOM layer. The page is a function of the app state: each change
//! builds a fresh tree of plain values ([`Node`]) and [`Mounted::patch`]
//! brings the page's elements in line with it, touching only what differs.
//!
//! It is deliberately small: elements, text, event handlers, and
//! [`memo`] for subtrees that only need rebuilding when their data
//! changes (the scrollback's blocks). Text is always set as text and
//! attributes as attributes, so nothing typed or passed in a link can
//! become markup.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element as DomElement, Event, Node as DomNode};

/// What an event listener runs.
pub type Handler = Rc<dyn Fn(&Event)>;

pub enum Node {
    Element(Element),
    Text(String),
    Memo(Box<Memo>),
    /// Nothing: keeps `if`-shaped views simple.
    Empty,
}

/// A subtree built only when `data` (compared by pointer) or `extra`
/// changed since the last render.
pub struct Memo {
    key: u64,
    data: Rc<dyn Any>,
    extra: u64,
    build: Box<dyn FnOnce() -> Node>,
}

/// An element being built. One pointer wide, so the builder's chains of
/// calls move little.
pub struct Element(Box<Parts>);

struct Parts {
    tag: &'static str,
    attributes: Vec<(&'static str, String)>,
    handlers: Vec<(&'static str, Handler)>,
    children: Vec<Node>,
    /// Another part of the page fills this element: its children are
    /// left alone.
    hosted: bool,
}

/// An element with this tag.
#[inline(never)]
pub fn el(tag: &'static str) -> Element {
    Element(Box::new(Parts {
        tag,
        attributes: Vec::new(),
        handlers: Vec::new(),
        children: Vec::new(),
        hosted: false,
    }))
}

#[inline(never)]
pub fn text(text: &str) -> Node {
    Node::Text(text.to_string())
}

/// A subtree rebuilt only when `data` is another allocation or `extra`
/// changed; `key` places it in a keyed list.
pub fn memo(
    key: u64,
    data: Rc<dyn Any>,
    extra: u64,
    build: impl FnOnce() -> Node + 'static,
) -> Node {
    Node::Memo(Box::new(Memo {
        key,
        data,
        extra,
        build: Box::new(build),
    }))
}

// The builder's methods are kept out of line and take `&str`: the views
// call them hundreds of times, and inlined copies would cost more than
// the calls.
impl Element {
    /// Sets an attribute. `value` and `checked` set the live property
    /// instead, as form fields need.
    #[inline(never)]
    pub fn attr(mut self, name: &'static str, value: &str) -> Element {
        self.0.attributes.push((name, value.to_string()));
        self
    }

    pub fn class(self, value: &str) -> Element {
        self.attr("class", value)
    }

    /// A boolean attribute, present when `on`.
    pub fn flag(self, name: &'static str, on: bool) -> Element {
        if on {
            self.attr(name, "")
        } else {
            self
        }
    }

    pub fn on(self, event: &'static str, handler: impl Fn(&Event) + 'static) -> Element {
        self.listen(event, Rc::new(handler))
    }

    #[inline(never)]
    fn listen(mut self, event: &'static str, handler: Handler) -> Element {
        self.0.handlers.push((event, handler));
        self
    }

    pub fn child(self, node: impl Into<Node>) -> Element {
        self.add(node.into())
    }

    #[inline(never)]
    fn add(mut self, node: Node) -> Element {
        self.0.children.push(node);
        self
    }

    pub fn text(self, value: &str) -> Element {
        self.add(text(value))
    }

    /// An element whose children another part of the page manages.
    pub fn hosted(mut self) -> Element {
        self.0.hosted = true;
        self
    }

    pub fn children(mut self, nodes: impl IntoIterator<Item = Node>) -> Element {
        self.0.children.extend(nodes);
        self
    }
}

impl From<Element> for Node {
    fn from(element: Element) -> Node {
        Node::Element(element)
    }
}

impl From<Option<Node>> for Node {
    fn from(node: Option<Node>) -> Node {
        node.unwrap_or(Node::Empty)
    }
}

impl From<Option<Element>> for Node {
    fn from(element: Option<Element>) -> Node {
        element.map(Node::from).unwrap_or(Node::Empty)
    }
}

impl Node {
    fn key(&self) -> Option<u64> {
        match self {
            Node::Memo(m) => Some(m.key),
            _ => None,
        }
    }
}

/// A listener on the page: the handler can be swapped without touching
/// the DOM.
struct Listener {
    event: &'static str,
    handler: Rc<RefCell<Handler>>,
    closure: Closure<dyn FnMut(Event)>,
}

pub struct MountedElement {
    dom: DomElement,
    tag: &'static str,
    hosted: bool,
    attributes: Vec<(&'static str, String)>,
    listeners: Vec<Listener>,
    children: Vec<Mounted>,
}

/// What is on the page, as last rendered.
pub enum Mounted {
    Element(Box<MountedElement>),
    Text(DomNode, String),
    Memo {
        key: u64,
        data: Rc<dyn Any>,
        extra: u64,
        inner: Box<Mounted>,
    },
    /// An empty text node holds the place of [`Node::Empty`].
    Empty(DomNode),
}

fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect_throw_free()
}

/// `Option::expect` without the formatting machinery: a page without a
/// document cannot show anything anyway.
trait ExpectThrowFree<T> {
    fn expect_throw_free(self) -> T;
}

impl<T> ExpectThrowFree<T> for Option<T> {
    fn expect_throw_free(self) -> T {
        match self {
            Some(value) => value,
            None => wasm_bindgen::throw_str("SMTP Lab needs a browser document"),
        }
    }
}

fn is_property(name: &str) -> bool {
    matches!(name, "value" | "checked")
}

fn set_attribute(dom: &DomElement, name: &'static str, value: &str) {
    if is_property(name) {
        let js = if name == "value" {
            // Only when different, so the caret of a field being typed in
            // stays where it is.
            let current = js_sys::Reflect::get(dom, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string());
            if current.as_deref() == Some(value) {
                return;
            }
            JsValue::from_str(value)
        } else {
            JsValue::from_bool(value == "true")
        };
        let _ = js_sys::Reflect::set(dom, &JsValue::from_str(name), &js);
    } else {
        let _ = dom.set_attribute(name, value);
    }
}

fn remove_attribute(dom: &DomElement, name: &'static str) {
    if is_property(name) {
        let empty = if name == "value" {
            JsValue::from_str("")
        } else {
            JsValue::FALSE
        };
        let _ = js_sys::Reflect::set(dom, &JsValue::from_str(name), &empty);
    } else {
        let _ = dom.remove_attribute(name);
    }
}

fn listen(dom: &DomElement, event: &'static str, handler: Handler) -> Listener {
    let handler = Rc::new(RefCell::new(handler));
    let shared = Rc::clone(&handler);
    let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        let current = Rc::clone(&shared.borrow());
        current(&e);
    });
    let _ = dom.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    Listener {
        event,
        handler,
        closure,
    }
}

impl Mounted {
    /// Creates the page elements for `node`.
    pub fn create(node: Node) -> Mounted {
        match node {
            Node::Empty => Mounted::Empty(document().create_text_node("").into()),
            Node::Text(value) => Mounted::Text(document().create_text_node(&value).into(), value),
            Node::Memo(memo) => {
                let inner = Mounted::create((memo.build)());
                Mounted::Memo {
                    key: memo.key,
                    data: memo.data,
                    extra: memo.extra,
                    inner: Box::new(inner),
                }
            }
            Node::Element(element) => {
                let element = *element.0;
                let dom = match document().create_element(element.tag) {
                    Ok(dom) => dom,
                    Err(_) => wasm_bindgen::throw_str("an element could not be created"),
                };
                let mut properties = Vec::new();
                for (name, value) in &element.attributes {
                    if is_property(name) {
                        properties.push((*name, value.as_str()));
                    } else {
                        let _ = dom.set_attribute(name, value);
                    }
                }
                let listeners = element
                    .handlers
                    .into_iter()
                    .map(|(event, handler)| listen(&dom, event, handler))
                    .collect();
                let children: Vec<Mounted> =
                    element.children.into_iter().map(Mounted::create).collect();
                for child in &children {
                    let _ = dom.append_child(child.dom());
                }
                // After the children: a select's value needs its options.
                for (name, value) in properties {
                    set_attribute(&dom, name, value);
                }
                Mounted::Element(Box::new(MountedElement {
                    dom,
                    tag: element.tag,
                    hosted: element.hosted,
                    attributes: element.attributes,
                    listeners,
                    children,
                }))
            }
        }
    }

    /// The page node this stands for.
    pub fn dom(&self) -> &DomNode {
        match self {
            Mounted::Element(e) => &e.dom,
            Mounted::Text(node, _) | Mounted::Empty(node) => node,
            Mounted::Memo { inner, .. } => inner.dom(),
        }
    }

    fn key(&self) -> Option<u64> {
        match self {
            Mounted::Memo { key, .. } => Some(*key),
            _ => None,
        }
    }

    /// Stops listening, in this node and below, before it leaves the page.
    fn release(&mut self) {
        match self {
            Mounted::Element(e) => {
                for listener in e.listeners.drain(..) {
                    let _ = e.dom.remove_event_listener_with_callback(
                        listener.event,
                        listener.closure.as_ref().unchecked_ref(),
                    );
                }
                for child in &mut e.children {
                    child.release();
                }
            }
            Mounted::Memo { inner, .. } => inner.release(),
            _ => {}
        }
    }

    /// Takes this node off the page, and stops its listeners.
    pub fn remove(mut self, parent: &DomNode) {
        self.release();
        let _ = parent.remove_child(self.dom());
    }

    /// Brings the page in line with `node`; `parent` holds this node.
    pub fn patch(&mut self, node: Node, parent: &DomNode) {
        match (&mut *self, node) {
            (Mounted::Empty(_), Node::Empty) => {}
            (Mounted::Text(dom, current), Node::Text(value)) => {
                if *current != value {
                    dom.set_text_content(Some(&value));
                    *current = value;
                }
            }
            (
                Mounted::Memo {
                    key,
                    data,
                    extra,
                    inner,
                },
                Node::Memo(memo),
            ) if *key == memo.key => {
                if !Rc::ptr_eq(data, &memo.data) || *extra != memo.extra {
                    inner.patch((memo.build)(), parent);
                    *data = memo.data;
                    *extra = memo.extra;
                }
            }
            (Mounted::Element(mounted), Node::Element(element))
                if mounted.tag == element.0.tag && mounted.hosted == element.0.hosted =>
            {
                mounted.patch_element(*element.0);
            }
            (_, node) => {
                let fresh = Mounted::create(node);
                let _ = parent.replace_child(fresh.dom(), self.dom());
                let old = std::mem::replace(self, fresh);
                let mut old = old;
                old.release();
            }
        }
    }
}

impl MountedElement {
    fn patch_element(&mut self, element: Parts) {
        let dom = &self.dom;
        for (name, _) in &self.attributes {
            if !element.attributes.iter().any(|(n, _)| n == name) {
                remove_attribute(dom, name);
            }
        }
        let mut properties = Vec::new();
        for (name, value) in &element.attributes {
            if is_property(name) {
                properties.push((*name, value.as_str()));
            } else if !self.attributes.iter().any(|(n, v)| n == name && v == value) {
                let _ = dom.set_attribute(name, value);
            }
        }
        // Listeners: swap handlers in place, add new events, drop old ones.
        let mut kept = Vec::with_capacity(element.handlers.len());
        let mut old = std::mem::take(&mut self.listeners);
        for (event, handler) in element.handlers {
            match old.iter().position(|l| l.event == event) {
                Some(index) => {
                    let listener = old.swap_remove(index);
                    *listener.handler.borrow_mut() = handler;
                    kept.push(listener);
                }
                None => kept.push(listen(dom, event, handler)),
            }
        }
        for listener in old {
            let _ = dom.remove_event_listener_with_callback(
                listener.event,
                listener.closure.as_ref().unchecked_ref(),
            );
        }
        self.listeners = kept;
        let parent: &DomNode = dom;
        if !self.hosted {
            patch_children(parent, &mut self.children, element.children);
        }
        for (name, value) in properties {
            set_attribute(dom, name, value);
        }
        self.attributes = element.attributes;
    }
}

/// Patches a list of children. Keyed children (the scrollback's blocks)
/// are matched by key, in order: blocks appended at the end or dropped
/// from the front cost only those blocks.
fn patch_children(parent: &DomNode, old: &mut Vec<Mounted>, new: Vec<Node>) {
    let keyed = new.first().is_some_and(|n| n.key().is_some());
    if !keyed {
        let mut previous = std::mem::take(old).into_iter();
        for node in new {
            match previous.next() {
                Some(mut mounted) => {
                    mounted.patch(node, parent);
                    old.push(mounted);
                }
                None => {
                    let mounted = Mounted::create(node);
                    let _ = parent.append_child(mounted.dom());
                    old.push(mounted);
                }
            }
        }
        for extra in previous {
            extra.remove(parent);
        }
        return;
    }
    let mut previous: Vec<Option<Mounted>> = std::mem::take(old).into_iter().map(Some).collect();
    let mut cursor = 0;
    for node in new {
        let key = node.key();
        let found = (cursor..previous.len())
            .find(|&j| previous[j].as_ref().and_then(Mounted::key) == key && key.is_some());
        match found {
            Some(j) => {
                for skipped in previous[cursor..j].iter_mut().filter_map(Option::take) {
                    skipped.remove(parent);
                }
                cursor = j + 1;
                if let Some(mut mounted) = previous[j].take() {
                    mounted.patch(node, parent);
                    old.push(mounted);
                }
            }
            None => {
                let mounted = Mounted::create(node);
                let next = previous[cursor..].iter().flatten().next().map(Mounted::dom);
                let _ = parent.insert_before(mounted.dom(), next);
                old.push(mounted);
            }
        }
    }
    for rest in previous.into_iter().flatten() {
        rest.remove(parent);
    }
}
