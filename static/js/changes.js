// Filters a changes page's points by outcome. Without this script the
// page lists every group, each reached from the tally's links; with it,
// the tally becomes a row of toggle buttons that show one group or all.
(() => {
	const nav = document.querySelector('nav.outcomes');
	const groups = [...document.querySelectorAll('section.fate-group')];
	if (!nav || groups.length < 2) return;
	const bar = document.createElement('div');
	bar.className = 'tally filter';
	bar.setAttribute('role', 'group');
	bar.setAttribute('aria-label', 'Show the points of one outcome');
	const status = document.createElement('p');
	status.className = 'visually-hidden';
	status.setAttribute('role', 'status');
	const buttons = [];
	const points = g => g.querySelectorAll('.fate-list > li').length;
	const show = (id, announce) => {
		let n = 0;
		for (const g of groups) {
			g.hidden = id !== '' && g.id !== id;
			if (!g.hidden) n += points(g);
		}
		for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.group === id));
		if (announce) {
			const h = groups.find(g => g.id === id)?.querySelector('h2');
			status.textContent = `Showing ${n} ${n === 1 ? 'point' : 'points'}` +
				(h ? `: ${h.firstChild.textContent.trim()}` : ', all outcomes');
		}
	};
	const add = (id, ...content) => {
		const b = document.createElement('button');
		b.type = 'button';
		b.dataset.group = id;
		b.append(...content);
		b.addEventListener('click', () => {
			const next = b.getAttribute('aria-pressed') === 'true' ? '' : id;
			show(next, true);
			history.replaceState(null, '', next ? '#' + next : location.pathname);
		});
		buttons.push(b);
		bar.append(b);
	};
	const all = document.createElement('strong');
	all.textContent = groups.reduce((n, g) => n + points(g), 0);
	add('', 'All ', all);
	for (const a of nav.querySelectorAll('a[href^="#"]')) {
		add(a.hash.slice(1), ...a.cloneNode(true).childNodes);
	}
	nav.hidden = true;
	nav.after(bar, status);
	const start = location.hash.slice(1);
	show(groups.some(g => g.id === start) ? start : '', false);
})();
