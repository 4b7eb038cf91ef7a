// Search as you type. Every page's header has a form that submits to
// /search/, which lists every page without this script; with it, typing
// shows results under the box. The index (search/ in the output, made by
// the build: see site/internal/search) is fetched in small parts: a
// file of terms per first two characters of a word, and the records of
// the results shown, a few to a file. Words are matched as the build
// indexed them: folded, numbers written one way, English endings cut;
// the last word as a prefix while it is being typed.
(() => {
	const root = new URL('..', document.currentScript.src).pathname; // the site's root, whatever its path
	const base = root + 'search/';
	const kindNames = {clause: 'Points', section: 'Sections', document: 'Documents', topic: 'Topics', actor: 'Actors', source: 'Sources'};
	const kindOrder = ['clause', 'section', 'document', 'topic', 'actor', 'source'];
	let meta = null, metaLoading = null;
	const chunks = new Map(), blocks = new Map();

	// ---- words, as site/internal/search/text.go reads them
	const fold = s => s.toWellFormed().normalize('NFD').replace(/\p{M}|['’ʼ]/gu, '').toLowerCase().replaceAll('ς', 'σ');
	const words = s => fold(s).match(/(?:[\p{L}\p{Nd}]|(?<=\p{Nd})[.,](?=\p{Nd}))+/gu) ?? [];
	const number = w => {
		let m = 1;
		if (!/^[0-9]/.test(w)) return null;
		if (w.endsWith('bn')) { w = w.slice(0, -2); m = 1e9; }
		else if (w.endsWith('k')) { w = w.slice(0, -1); m = 1e3; }
		else if (w.endsWith('m')) { w = w.slice(0, -1); m = 1e6; }
		const d = w.replaceAll(',', '');
		if (!/^[0-9.]*$/.test(d)) return null;
		if (m === 1) return d;
		if (!/^[0-9]+(\.[0-9]+)?$/.test(d)) return null; // what Go's ParseFloat reads whole
		const v = parseFloat(d), x = v * m;
		return Number.isNaN(v) || x !== 0 && (x < 1e-6 || x >= 1e21) ? null : String(x);
	};
	const stem = w => {
		if (w.length < 4 || !/^[a-z]+$/.test(w)) return w;
		if (w.endsWith('sses') || w.endsWith('ies')) w = w.slice(0, -2);
		else if (!/(ss|us|is)$/.test(w) && w.endsWith('s')) w = w.slice(0, -1);
		let cut = false;
		if (w.length > 5 && w.endsWith('ing')) { w = w.slice(0, -3); cut = true; }
		else if (w.length > 4 && w.endsWith('ed')) { w = w.slice(0, -2); cut = true; }
		else if (w.length > 4 && w.endsWith('ly')) w = w.slice(0, -2);
		const n = w.length;
		if (cut && n > 2 && w[n - 1] === w[n - 2] && !'lsz'.includes(w[n - 1])) w = w.slice(0, -1);
		const k = w.length;
		if (!cut && k > 4 && w[k - 1] === 'e') w = w.slice(0, -1);
		else if (k > 3 && w[k - 1] === 'y') w = w.slice(0, -1) + 'i';
		return w;
	};
	const stop = new Set('a an and are as at be by for from has have in is it its of on or that the their this to was were will with would'.split(' '));
	const term = w => number(w) ?? (stop.has(w) ? '' : stem(w));
	const terms = s => words(s).map(term).filter(t => t);

	// ---- the index
	const get = async (path, v) => {
		const r = await fetch(base + path + '?v=' + v);
		if (!r.ok) throw new Error(path + ': ' + r.status);
		return r.json();
	};
	// meta.json is asked for again each time a box gets the focus (a
	// small conditional request): the dev server swaps a page's body, and
	// a site is published again, while a tab stays open. Files of an older
	// index are then let go. A request that fails is not kept.
	const loadMeta = () => metaLoading ??= fetch(base + 'meta.json', {cache: 'no-cache'})
		.then(r => r.ok ? r.json() : Promise.reject(new Error('search index: ' + r.status)))
		.then(m => {
			m.keys = new Set(m.chunks.split(' '));
			if (meta?.terms !== m.terms) chunks.clear();
			if (meta?.records !== m.records) blocks.clear();
			if (meta?.filters !== m.filters) filtersLoading = null;
			return meta = m;
		}, e => { metaLoading = null; throw e; });
	const refreshMeta = () => { metaLoading = null; return loadMeta(); };
	const kept = (cache, key, load) => {
		if (!cache.has(key)) cache.set(key, load().catch(e => { cache.delete(key); throw e; }));
		return cache.get(key);
	};
	const hex = k => 'x' + [...new TextEncoder().encode(k)].map(b => b.toString(16).padStart(2, '0')).join('');
	const chunkKey = (t, n) => {
		const k = [...t].slice(0, n).join('');
		return /^[a-z0-9]+$/.test(k) ? k : hex(k);
	};
	// The files of terms that may hold h, or with prefix set the terms
	// starting with h: the file of its first three characters where the
	// file of its first two was split; for a prefix of two characters,
	// that file and those split from it, named by their three characters
	// or, where the third is not ASCII, in hexadecimal ("ma" splits into
	// "mai" and "x6d61c582", "mał").
	const chunksFor = (h, prefix) => {
		const k2 = chunkKey(h, 2), k3 = chunkKey(h, 3);
		if ([...h].length >= 3 || !prefix) return [[...h].length >= 3 && meta.keys.has(k3) ? k3 : k2];
		const h2 = hex([...h].slice(0, 2).join(''));
		return [k2, ...[...meta.keys].filter(k => k !== k2 && (k.startsWith(k2) || k.startsWith(h2)))];
	};
	const chunk = key => meta.keys.has(key) ? kept(chunks, key, () => get('t/' + key + '.json', meta.terms)) : Promise.resolve({});
	const block = n => kept(blocks, n, () => get('r/' + n + '.json', meta.records));
	let filtersLoading = null;
	const loadFilters = () => filtersLoading ??= get('filters.json', meta.filters).catch(e => { filtersLoading = null; throw e; });
	// postings returns record -> score for one word of the query: its
	// term, or with prefix set every term that starts with the word as
	// typed or with its stem.
	const postings = async (w, prefix) => {
		const t = term(w);
		const out = new Map();
		if (!t && !prefix) return null;
		const heads = [...new Set([t, prefix ? w : ''].filter(h => h && (prefix ? [...h].length >= 2 || /^[0-9]/.test(h) : true)))];
		if (!heads.length) return null;
		const tried = await Promise.all(heads.flatMap(h => chunksFor(h, prefix).map(k => chunk(k).then(c => [h, c]))));
		for (const [h, c] of tried) {
			for (const [k, list] of Object.entries(c)) {
				if (!(prefix ? k.startsWith(h) : k === h)) continue;
				const idf = Math.log(1 + meta.n / (list.length / 2));
				for (let i = 0, rec = 0; i < list.length; i += 2) {
					rec += list[i];
					const s = list[i + 1] * idf * (k === t ? 1 : 0.8);
					if (s > (out.get(rec) ?? 0)) out.set(rec, s);
				}
			}
		}
		return out;
	};
	// search returns the records that match every word of q, best first,
	// as [record, score], with the terms to highlight.
	const search = async (q, filter) => {
		await loadMeta();
		const ws = words(q);
		const typing = ws.length && !/\s$/.test(q);
		const lists = (await Promise.all(ws.map((w, i) => postings(w, typing && i === ws.length - 1)))).filter(l => l);
		if (!lists.length) return [];
		let scores = new Map(lists[0]);
		for (const l of lists.slice(1)) {
			for (const [rec, s] of scores) {
				if (l.has(rec)) scores.set(rec, s + l.get(rec)); else scores.delete(rec);
			}
		}
		return [...scores].filter(([rec]) => filter(rec)).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
	};
	const record = async rec => {
		const b = await block(Math.floor(rec / meta.per));
		const [url, title, sub, fate, text, kind] = b[rec % meta.per];
		return {rec, url, title, sub, fate, text, kind};
	};

	// ---- showing results
	const el = (tag, props = {}, ...kids) => {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(props)) {
			if (k === 'class') e.className = v; else if (k in e) e[k] = v; else e.setAttribute(k, v);
		}
		e.append(...kids.filter(k => k !== null && k !== undefined && k !== ''));
		return e;
	};
	// marked returns text as nodes with the words whose term matches one of
	// qs marked; with around set, only a window of words around the first.
	const marked = (text, qs, around) => {
		const parts = text.split(/((?:[\p{L}\p{Nd}]|(?<=\p{Nd})[.,](?=\p{Nd}))+)/u);
		const hit = p => {
			const t = term(fold(p));
			return t && qs.some(({q, prefix}) => t === q || prefix && (t.startsWith(q) || fold(p).startsWith(q)));
		};
		let from = 0, to = parts.length;
		if (around) {
			const first = parts.findIndex((p, i) => i % 2 === 1 && hit(p));
			from = Math.max(0, (first < 0 ? 0 : first) - 16);
			// Start at a word's start: not at the "s" of "Ukraine’s".
			while (from > 0 && from < first && !/\s/.test(parts[from - 1])) from += 2;
			to = Math.min(parts.length, from + 2 * around);
		}
		const out = [];
		if (from > 0) out.push('… ');
		for (let i = from; i < to; i++) out.push(i % 2 === 1 && hit(parts[i]) ? el('mark', {}, parts[i]) : parts[i]);
		if (to < parts.length) out.push(' …');
		return out;
	};
	const href = url => root + url.replace(/^\//, '');

	const attach = (form, page) => {
		const input = form.querySelector('input[name=q]');
		if (!input) return;
		const id = input.id + '-results';
		const list = el('div', {class: 'search-results', id, hidden: true});
		const status = el('p', {class: 'visually-hidden', role: 'status'});
		const filterBox = page ? el('div', {class: 'search-filters'}) : null;
		form.after(...[filterBox, status, list].filter(x => x));
		input.setAttribute('role', 'combobox');
		input.setAttribute('aria-autocomplete', 'list');
		input.setAttribute('aria-controls', id);
		input.setAttribute('aria-expanded', 'false');
		let docSel = null, topicSel = null, filters = null, options = [], active = -1, seq = 0;
		const filter = rec => !filters || (!docSel || docSel.value === '' || filters.doc[rec] === +docSel.value) &&
			(!topicSel || topicSel.value === '' || filters.topic[rec].split(',').includes(topicSel.value));
		const setActive = i => {
			options.forEach((o, k) => o.setAttribute('aria-selected', String(k === i)));
			active = i;
			if (i >= 0) {
				input.setAttribute('aria-activedescendant', options[i].id);
				options[i].scrollIntoView({block: 'nearest'});
			} else input.removeAttribute('aria-activedescendant');
		};
		const run = async () => {
			const q = input.value, n = ++seq;
			if (!q.trim()) {
				list.hidden = true; list.replaceChildren(); options = []; status.textContent = '';
				input.setAttribute('aria-expanded', 'false');
				return;
			}
			let found;
			try { found = await search(q, filter); } catch (e) { if (n === seq) status.textContent = 'Search is unavailable: ' + e.message; return; }
			if (n !== seq) return;
			const top = found.slice(0, page ? 40 : 10);
			const ws = words(q), typing = !/\s$/.test(q);
			// What to mark: each word's term, and the word being typed as a
			// prefix, both as typed and as its stem ("guarantees" marks
			// "guaranteed").
			const qs = ws.flatMap((w, i) => typing && i === ws.length - 1 ?
				[{q: w, prefix: true}, {q: term(w), prefix: true}] : [{q: term(w), prefix: false}]).filter(x => x.q);
			list.hidden = false;
			input.setAttribute('aria-expanded', 'true');
			setActive(-1);
			if (!found.length) {
				show([], qs);
				status.textContent = 'No results';
				return;
			}
			// The best result shows as soon as its record comes, the
			// others once all theirs have: the best one's file is fetched
			// alone, so that it need not wait for a connection, and a
			// frame is drawn twice, not for each file. Then the count is
			// announced.
			try {
				const first = await record(top[0][0]);
				if (n !== seq) return;
				show([first], qs);
				const recs = await Promise.all(top.map(([rec]) => record(rec)));
				if (n !== seq) return;
				if (recs.length > 1) show(recs, qs);
			} catch (e) { if (n === seq) status.textContent = 'Search is unavailable: ' + e.message; return; }
			status.textContent = `${found.length} ${found.length === 1 ? 'result' : 'results'}${found.length > top.length ? `, the first ${top.length} shown` : ''}`;
		};
		// show puts recs in the list, grouped by kind, keeping the result
		// chosen with the arrow keys.
		const show = (recs, qs) => {
			const chosen = active >= 0 ? options[active]?.id : null;
			const groups = kindOrder.map(k => [k, recs.filter(r => r.kind === k)]).filter(([, rs]) => rs.length);
			options = [];
			list.replaceChildren(...groups.map(([k, rs]) => el('section', {class: 'search-group'},
				el('h2', {class: 'search-kind'}, kindNames[k] ?? k),
				el('ul', {role: 'listbox', 'aria-label': kindNames[k] ?? k}, ...rs.map(r => {
					const a = el('a', {href: href(r.url), id: id + '-' + r.rec, role: 'option', 'aria-selected': 'false', tabIndex: -1},
						el('span', {class: 'search-title'}, ...marked(r.title, qs, 0)),
						el('span', {class: 'search-sub'}, r.sub, r.fate ? el('span', {class: 'badge fate'}, r.fate) : null),
						r.text ? el('span', {class: 'search-snippet'}, ...marked(r.text, qs, 18)) : null);
					options.push(a);
					return el('li', {}, a);
				})))));
			if (!recs.length) list.replaceChildren(el('p', {class: 'search-none'}, 'Nothing matches every word of that search.'));
			setActive(options.findIndex(o => o.id === chosen));
		};
		input.addEventListener('input', run);
		// Enter on a chosen result opens it, even where the key still
		// submits the form (some synthetic key events do); the Search
		// button searches.
		let opening = null;
		form.addEventListener('submit', e => { if (opening) { e.preventDefault(); location.href = opening; } });
		input.addEventListener('focus', () => refreshMeta().then(() => page && addFilters()).catch(() => {}));
		const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); setActive(-1); };
		// The header's list closes when the focus leaves the box and it.
		if (!page) form.parentElement.addEventListener('focusout', e => {
			if (!form.contains(e.relatedTarget) && !list.contains(e.relatedTarget)) close();
		});
		input.addEventListener('keydown', e => {
			if (e.isComposing) return; // Enter ends an input method's word
			if (list.hidden && (e.key === 'ArrowDown' || e.key === 'ArrowUp') && options.length) {
				list.hidden = false;
				input.setAttribute('aria-expanded', 'true');
			}
			if (e.key === 'ArrowDown' && options.length) { e.preventDefault(); setActive((active + 1) % options.length); }
			else if (e.key === 'ArrowUp' && options.length) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
			else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); opening = options[active].href; location.href = opening; }
			else if (e.key === 'Escape') close();
		});
		let filtersAdded = null;
		const addFilters = () => filtersAdded ??= (async () => {
			if (!filterBox) return;
			filters = await loadFilters();
			const select = (label, names) => {
				const s = el('select', {}, el('option', {value: ''}, 'All'), ...names.map((n, i) => el('option', {value: String(i)}, n)));
				s.addEventListener('change', run);
				filterBox.append(el('label', {}, label + ' ', s));
				return s;
			};
			if (filters.docs.length > 1) docSel = select('Document', filters.docs);
			if (filters.topics.length > 1) topicSel = select('Topic', filters.topics);
		})();
		if (page) {
			const q = new URLSearchParams(location.search).get('q');
			if (q) { input.value = q; loadMeta().then(run).then(addFilters).catch(e => status.textContent = 'Search is unavailable: ' + e.message); }
		}
	};

	// Each search form is set up once, now or when it first gets the
	// focus: the dev server may put a new body, with new forms, in place.
	const attached = new WeakSet();
	const ensure = form => {
		if (!form || attached.has(form)) return;
		attached.add(form);
		attach(form, form.classList.contains('search-page-form'));
	};
	for (const form of document.querySelectorAll('form[role=search]')) ensure(form);
	document.addEventListener('focusin', e => ensure(e.target.closest?.('form[role=search]')));
	document.addEventListener('keydown', e => {
		if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
		const t = e.target;
		if (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName)) return;
		const box = document.querySelector('.search-page-form input[name=q]') ?? document.querySelector('form[role=search] input[name=q]');
		if (box) { e.preventDefault(); box.focus(); }
	});
	// For the tests: the words of s, as the index reads them.
	window.explainerSearchTerms = terms;
})();
