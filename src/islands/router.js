// The islands router of Leptos 0.8.23 (leptos/src/hydration/islands_routing.js,
// MIT licence, (c) Greg Johnston and the Leptos contributors), with the fixes
// sesame needed; see src/islands/mod.rs. Each change is marked "sesame:".
// Drop this copy for Leptos' own once a release has the fixes.
let NAVIGATION = 0;

window.addEventListener("click", async (ev) => {
	const req = clickToReq(ev);
	if(!req) {
		return;
	}

	ev.preventDefault();
	await navigateToPage(req, true);
});

window.addEventListener("popstate", async (ev) => {
	const req = new Request(window.location);
	ev.preventDefault();
	await navigateToPage(req, true, true);
});

window.addEventListener("submit", async (ev) => {
	if (ev.defaultPrevented) {
		return;
	}
		
	const req = submitToReq(ev);
	if(!req) {
		return;
	}

	ev.preventDefault();
	await navigateToPage(req, true);
});

async function navigateToPage(
	/** @type Request */
	req, 
	/** @type bool */
	useViewTransition, 
	/** @type bool */
	replace
) {
	NAVIGATION += 1;
	const currentNav = NAVIGATION;

	// add a custom header to indicate that we're on a subsequent navigation 
	req.headers.append("Islands-Router", "true");

	// fetch the new page
	const resp = await fetch(req);
	const redirected = resp.redirected;
	const htmlString = await resp.text();

	if(NAVIGATION === currentNav) {
		// The 'doc' variable now contains the parsed DOM
		const transition = async () => {
			try {
				diffPages(htmlString);
				for(const island of document.querySelectorAll("leptos-island")) {
					if(!island.$$hydrated) {
						__hydrateIsland(island, island.dataset.component);
						island.$$hydrated = true;
					}
				}
			} catch(e) {
				// sesame: a page that cannot be patched in is loaded the
				// ordinary way (a GET of where the request ended), rather
				// than left half patched.
				console.warn("islands router: loading the page instead", e);
				window.location.assign(redirected ? resp.url : req.url);
			}
		};
		// Not all browsers support startViewTransition; see https://caniuse.com/?search=startViewTransition
		if (useViewTransition && document.startViewTransition) {
			await document.startViewTransition(transition);
		} else {
			await transition()
		}

		const url = redirected ? resp.url : req.url;

		if(replace) {
			window.history.replaceState(undefined, null, url);
		} else {
			window.history.pushState(undefined, null, url);
		}
	}
}

function clickToReq(ev) {
	// confirm that this is an <a> that meets our requirements
	if (
		ev.defaultPrevented ||
		ev.button !== 0 ||
		ev.metaKey ||
		ev.altKey ||
		ev.ctrlKey ||
		ev.shiftKey
	      )
        return;

      /** @type HTMLAnchorElement | undefined;*/
      const a = ev
        .composedPath()
        .find(el => el instanceof Node && el.nodeName.toUpperCase() === "A");

	if (!a) return;

     const svg = a.namespaceURI === "http://www.w3.org/2000/svg";
	const href = svg ? a.href.baseVal : a.href;
      const target = svg ? a.target.baseVal : a.target;
      if (target || (!href && !a.hasAttribute("state"))) return;

      const rel = (a.getAttribute("rel") || "").split(/\s+/);
      if (a.hasAttribute("download") || (rel?.includes("external"))) return;

      const url = svg ? new URL(href, document.baseURI) : new URL(href);
      if (
        url.origin !== window.location.origin // ||  
	      // TODO base
        //(basePath && url.pathname && !url.pathname.toLowerCase().startsWith(basePath.toLowerCase()))
      )
        return; 

      return new Request(url);
}

function submitToReq(ev) {
	// sesame: the event passed in, not the global `event`.
	ev.preventDefault();

	const target = ev.target;
	/** @type HTMLFormElement */
	let form;
	if(target instanceof HTMLFormElement) {
		form = target;
	} else {
		if(!target.form) {
			return;
		}
		form = target.form;
	}

	const method = form.method.toUpperCase();
	if(method !== "GET" && method !== "POST") {
		return;
	}

	const url = new URL(form.action);
	let path = url.pathname;
	const requestInit = {};
	const data = new FormData(form);

	const params = new URLSearchParams();
	for (const [key, value] of data.entries()) {
		params.append(key, value);
	}

	requestInit.headers = { 
		Accept: "text/html"
	};
	if(method === "GET") {
		path += `?${params.toString()}`;
	}
	else {
		requestInit.method = "POST";
		requestInit.body = params; 
	}

	return new Request(
		path,
		requestInit
	);
}


function diffPages(htmlString) {
	// Use DOMParser to parse the HTML string
	const parser = new DOMParser();
	const doc = parser.parseFromString(htmlString, 'text/html');

	diffRange(document, document, doc, doc);
}

function diffRange(oldDocument, oldRoot, newDocument, newRoot, oldEnd, newEnd) {
	const oldDocWalker = oldDocument.createTreeWalker(oldRoot);
	const newDocWalker = newDocument.createTreeWalker(newRoot);
	let oldNode = oldDocWalker.currentNode;
	let newNode = newDocWalker.currentNode;

	while (oldDocWalker.nextNode() && newDocWalker.nextNode()) {
		oldNode = oldDocWalker.currentNode;
		newNode = newDocWalker.currentNode;

		if (oldNode == oldEnd || newNode == newEnd) {
			break;
		}

		// if the nodes are different, we need to replace the old with the new
		// because of the typed view tree, this should never actually happen
		if (oldNode.nodeType !== newNode.nodeType) {
			// sesame: a copy, so that both walkers go on in their documents
			// (moving the node left the old walker on a detached node, and
			// the diff stopped there).
			replaceWithCopy(oldDocWalker, newDocWalker, oldNode, newNode);
		}
		// if it's a text node, just update the text with the new text
		else if (oldNode.nodeType === Node.TEXT_NODE) {
			oldNode.textContent = newNode.textContent;
		}
		// islands should not be diffed on the client, because we do not want to overwrite client-side state 
		// but their children should be diffed still, because they could contain new server content
		else if (oldNode.nodeType === Node.ELEMENT_NODE && oldNode.tagName === "LEPTOS-ISLAND") {
			// sesame: skip the island's subtree. `nextSibling()` skipped the
			// node after the island as well, uncompared, and when that was a
			// branch marker the rest of the page was compared out of step.
			skipSubtree(oldDocWalker);
			skipSubtree(newDocWalker);
		}
		// if it's an element, replace if it's a different tag, or update attributes
		else if (oldNode.nodeType === Node.ELEMENT_NODE) {
			if (oldNode.tagName !== newNode.tagName) {
				replaceWithCopy(oldDocWalker, newDocWalker, oldNode, newNode);
			} else {
				diffElement(oldNode, newNode);
			}
		}
		// we use comment "branch marker" nodes to distinguish between different branches in the statically-typed view tree
		// if one of these marker is hit, then there are two options
		// 1) it's the same branch, and we just keep walking until the end 
		// 2) it's a different branch, in which case the old can be replaced with the new wholesale
		else if (oldNode.nodeType === Node.COMMENT_NODE) {
			const oldText = oldNode.textContent;
			const newText = newNode.textContent;
			if(oldText.startsWith("bo-for") && newText.startsWith("bo-for")) {
				replaceFor(oldDocument, oldDocWalker, newDocument, newDocWalker, oldNode, newNode);
			}
			else if (oldText.startsWith("bo-item")) {
				// skip, this means we're diffing a new item within a For
			}
			else if(oldText.startsWith("bo") && newText !== oldText) {
				replaceBranch(oldDocWalker, newDocWalker, oldNode, newNode);
			}
		}
	}
}

// sesame: rewritten. Leptos 0.8.23's version moved the node after the list
// between documents and left the old walker on a detached node: a list whose
// keys all changed (the next page of /users) came out empty and the rest of
// the page was not patched. Here, items whose key is in both lists keep
// their old DOM, patched with the new content; the new list, in the new
// order, replaces the old; both walkers stop on their list's closing marker.
function replaceFor(oldDocument, oldDocWalker, newDocument, newDocWalker, oldNode, newNode) {
	const oldList = listItems(oldDocWalker);
	const newList = listItems(newDocWalker);
	if (!oldList.close || !newList.close) {
		throw new Error("unbalanced list markers");
	}
	for (const key in newList.items) {
		const oldItem = oldList.items[key];
		const newItem = newList.items[key];
		if (!oldItem || !oldItem.close || !newItem.close) {
			continue;
		}
		const oldRange = new Range();
		const newRange = new Range();
		oldRange.setStartAfter(oldItem.open);
		oldRange.setEndBefore(oldItem.close);
		newRange.setStartAfter(newItem.open);
		newRange.setEndBefore(newItem.close);
		const oldContents = oldRange.extractContents();
		const newContents = newRange.extractContents();
		diffRange(oldDocument, oldContents, newDocument, newContents);
		newRange.insertNode(oldContents);
	}
	const oldRange = new Range();
	const newRange = new Range();
	oldRange.setStartAfter(oldNode);
	oldRange.setEndBefore(oldList.close);
	newRange.setStartAfter(newNode);
	newRange.setEndBefore(newList.close);
	const newContents = newRange.extractContents();
	oldRange.deleteContents();
	oldRange.insertNode(newContents);
	oldDocWalker.currentNode = oldList.close;
	newDocWalker.currentNode = newList.close;
}

// sesame: the items of the list whose opening marker is the walker's current
// node, by key (nested lists' items are theirs), and the list's closing
// marker, where the walker is left.
function listItems(walker) {
	const items = {};
	let depth = 1;
	while (walker.nextNode()) {
		const node = walker.currentNode;
		if (node.nodeType !== Node.COMMENT_NODE) {
			continue;
		}
		const text = node.textContent;
		if (text.startsWith("bo-for")) {
			depth += 1;
		} else if (text.startsWith("bc-for")) {
			depth -= 1;
			if (depth === 0) {
				return { close: node, items };
			}
		} else if (depth === 1 && text.startsWith("bo-item-")) {
			items[text.slice(8)] = { open: node, close: null };
		} else if (depth === 1 && text.startsWith("bc-item-")) {
			const item = items[text.slice(8)];
			if (item) {
				item.close = node;
			}
		}
	}
	return { close: null, items };
}

// sesame: leaves the walker on the last node inside its current node, so
// that its next step is the node after it.
function skipSubtree(walker) {
	let node = walker.currentNode;
	while (node.lastChild) {
		node = node.lastChild;
	}
	walker.currentNode = node;
}

// sesame: puts a copy of the new node in place of the old one, and moves
// both walkers past them.
function replaceWithCopy(oldDocWalker, newDocWalker, oldNode, newNode) {
	const copy = document.importNode(newNode, true);
	oldNode.replaceWith(copy);
	oldDocWalker.currentNode = copy;
	skipSubtree(oldDocWalker);
	skipSubtree(newDocWalker);
}

// Advances the walker from a branch's opening marker comment to its matching
// closing marker, leaving it as the walker's currentNode. Every node after
// the opening marker is examined (including the first one: a branch may
// begin with a nested branch marker, e.g. when a view starts with a
// component that renders no element). Returns false if the walker is
// exhausted before the branch is balanced.
function seekBranchClose(walker) {
	let branches = 1;
	while(walker.nextNode()) {
		const node = walker.currentNode;
		if(node.nodeType === Node.COMMENT_NODE) {
			if(node.textContent.startsWith("bo")) {
				branches += 1;
			} else if(node.textContent.startsWith("bc")) {
				branches -= 1;
				if(branches === 0) {
					return true;
				}
			}
		}
	}
	return false;
}

function replaceBranch(oldDocWalker, newDocWalker, oldNode, newNode) {
	const oldRange = new Range();
	const newRange = new Range();
	seekBranchClose(oldDocWalker);
	seekBranchClose(newDocWalker);

	const oldClose = oldDocWalker.currentNode;
	const newClose = newDocWalker.currentNode;

	try {
		oldRange.setStartAfter(oldNode);
		oldRange.setEndBefore(oldClose);
		newRange.setStartAfter(newNode);
		newRange.setEndBefore(newClose);
		const newContents = newRange.extractContents();
		oldRange.deleteContents();
		oldRange.insertNode(newContents);
		oldNode.textContent = newNode.textContent;
		oldClose.textContent = newClose.textContent;
	} catch (e) {
		console.error(e);
	}
}

function diffElement(oldNode, newNode) {
	/** @type Element */
	const oldEl = oldNode;
	/** @type Element */
	const newEl = newNode;
	for(const attr of newEl.attributes) {
		if (oldEl.getAttribute(attr.name) !== attr.value) {
			oldEl.setAttribute(attr.name, attr.value);
		}
	}
	// sesame: an attribute the new page does not have goes (a `hidden`, an
	// `aria-invalid`...). Not on <html> and <body>, whose attributes the
	// page's own scripts may set (sesame's `data-hydrated`).
	if (oldEl !== document.documentElement && oldEl !== document.body) {
		for(const attr of [...oldEl.attributes]) {
			if (!newEl.hasAttribute(attr.name)) {
				oldEl.removeAttribute(attr.name);
			}
		}
	}
}

for(const island of document.querySelectorAll("leptos-island")) {
	island.$$hydrated = true;
}
