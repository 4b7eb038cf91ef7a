package worddiff

// maxEdits bounds the number of token insertions and deletions the search
// for a minimal diff explores. Myers' algorithm takes time proportional to
// the length of the texts times the number of edits, so without a bound two
// long, unrelated texts would take seconds; beyond it the differing middle
// is reported as one deletion and one insertion, which for such texts is
// what a reader would want anyway.
const maxEdits = 2000

// A run is a number of consecutive tokens of the same kind in an edit script.
type run struct {
	kind Kind
	n    int // tokens: of a for Delete, of b for Insert, of each for Equal
}

// A differ computes an edit script between two token id sequences with the
// linear-space variant of Myers' O(ND) algorithm.
type differ struct {
	a, b   []int
	v1, v2 []int // furthest reaching paths, forward and reverse; reused
	runs   []run
}

// script returns a shortest edit script turning a into b, or a coarser one
// when no script of at most maxEdits edits exists.
func script(a, b []int) []run {
	var d differ
	d.reset(a, b)
	return d.script()
}

// reset readies d to compare a and b, keeping its buffers.
func (d *differ) reset(a, b []int) {
	d.a, d.b, d.runs = a, b, d.runs[:0]
}

// script returns a shortest edit script turning d.a into d.b, as the
// function script does.
func (d *differ) script() []run {
	d.diff(0, len(d.a), 0, len(d.b))
	return d.runs
}

// add appends n tokens of kind k to the script.
func (d *differ) add(k Kind, n int) {
	if n == 0 {
		return
	}
	if l := len(d.runs); l > 0 && d.runs[l-1].kind == k {
		d.runs[l-1].n += n
		return
	}
	d.runs = append(d.runs, run{k, n})
}

// diff appends the script for a[a0:a1] and b[b0:b1].
func (d *differ) diff(a0, a1, b0, b1 int) {
	p := 0
	for a0+p < a1 && b0+p < b1 && d.a[a0+p] == d.b[b0+p] {
		p++
	}
	d.add(Equal, p)
	a0, b0 = a0+p, b0+p
	s := 0
	for a0 < a1-s && b0 < b1-s && d.a[a1-1-s] == d.b[b1-1-s] {
		s++
	}
	a1, b1 = a1-s, b1-s
	switch {
	case a0 == a1:
		d.add(Insert, b1-b0)
	case b0 == b1:
		d.add(Delete, a1-a0)
	default:
		if x, y, ok := d.split(a0, a1, b0, b1); ok {
			d.diff(a0, x, b0, y)
			d.diff(x, a1, y, b1)
		} else {
			d.add(Delete, a1-a0)
			d.add(Insert, b1-b0)
		}
	}
	d.add(Equal, s)
}

// split finds a point (x, y) on a shortest edit path from (a0, b0) to
// (a1, b1), searching forward from the start and backward from the end
// until the two searches meet in the middle. Both halves of the path then
// need about half the edits, so recursing on them takes O((N+M)D) time in
// all and O(N+M) space. The caller has stripped the common prefix and
// suffix, so a0 < a1, b0 < b1 and the point is never a corner. split reports
// false when the path needs more than about maxEdits edits.
//
// The bookkeeping, including how diagonals that run off the edit graph are
// retired, follows diff_bisect in Neil Fraser's diff-match-patch.
func (d *differ) split(a0, a1, b0, b1 int) (x, y int, ok bool) {
	a, b := d.a[a0:a1], d.b[b0:b1]
	n, m := len(a), len(b)
	maxD := min((n+m+1)/2, maxEdits/2+1)
	off := maxD
	size := 2*maxD + 2
	if cap(d.v1) < size {
		d.v1, d.v2 = make([]int, size), make([]int, size)
	}
	v1, v2 := d.v1[:size], d.v2[:size]
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	front := delta%2 != 0 // whether the forward search detects the overlap
	var k1start, k1end, k2start, k2end int
	for dd := range maxD {
		// Forward: v1[off+k] is the furthest x reached on diagonal k = x-y.
		for k := -dd + k1start; k <= dd-k1end; k += 2 {
			i := off + k
			var x1 int
			if k == -dd || (k != dd && v1[i-1] < v1[i+1]) {
				x1 = v1[i+1]
			} else {
				x1 = v1[i-1] + 1
			}
			y1 := x1 - k
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			v1[i] = x1
			switch {
			case x1 > n:
				k1end += 2
			case y1 > m:
				k1start += 2
			case front:
				if j := off + delta - k; j >= 0 && j < size && v2[j] != -1 && x1 >= n-v2[j] {
					return a0 + x1, b0 + y1, true
				}
			}
		}
		// Reverse: v2[off+k] is the furthest distance from the end reached
		// on diagonal k of the reversed texts.
		for k := -dd + k2start; k <= dd-k2end; k += 2 {
			i := off + k
			var x2 int
			if k == -dd || (k != dd && v2[i-1] < v2[i+1]) {
				x2 = v2[i+1]
			} else {
				x2 = v2[i-1] + 1
			}
			y2 := x2 - k
			for x2 < n && y2 < m && a[n-1-x2] == b[m-1-y2] {
				x2++
				y2++
			}
			v2[i] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				if j := off + delta - k; j >= 0 && j < size && v1[j] != -1 {
					x1 := v1[j]
					if x1 >= n-x2 {
						return a0 + x1, b0 + x1 - (delta - k), true
					}
				}
			}
		}
	}
	return 0, 0, false
}
