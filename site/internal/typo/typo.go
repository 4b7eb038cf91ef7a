// Package typo finds the known name that a mistyped one was probably
// meant to be, for "did you mean" hints in error messages.
package typo

// Nearest returns the id in known nearest to id by edit distance, for a
// "did you mean" hint, or "" when none is close enough to be a likely typo.
//
// A candidate is close when its Levenshtein distance from id is at most
// max(2, len(id)/3) and smaller than the longer of the two lengths (so that
// "x" never suggests "us": a hint must share something with what was
// written). Ties go to the lexically smallest candidate, so the hint is
// stable from one build to the next. Candidates whose length differs from
// id's by more than the best distance so far are skipped without computing
// anything, which keeps a lookup among thousands of ids cheap. Two
// neighbouring letters written the wrong way round ("titel") count as one
// edit, the likeliest slip of all: such a candidate wins outright.
func Nearest(id string, known []string) string {
	swap := ""
	for _, k := range known {
		if swapped(id, k) && (swap == "" || k < swap) {
			swap = k
		}
	}
	if swap != "" {
		return swap
	}
	limit := max(2, len(id)/3)
	best, bestDist := "", limit+1
	var row []int
	for _, k := range known {
		diff := len(k) - len(id)
		if diff < 0 {
			diff = -diff
		}
		if diff > bestDist || (diff == bestDist && best != "" && k > best) {
			continue
		}
		d, ok := Distance(id, k, min(bestDist, limit), &row)
		if !ok || d >= max(len(id), len(k)) {
			continue
		}
		if d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	return best
}

// Distance returns the Levenshtein distance between a and b, counted in
// bytes, and reports whether it is at most limit. It gives up as soon as
// the distance must exceed limit: common prefixes and suffixes are
// trimmed first, only the diagonal band of width 2*limit+1 is computed
// (a path outside it costs more than limit), and a row whose every entry
// exceeds limit ends the computation. row is scratch space reused between
// calls.
func Distance(a, b string, limit int, row *[]int) (int, bool) {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	// b is the shorter string; the row has one entry per byte of b.
	n, m := len(a), len(b)
	if n-m > limit {
		return n - m, false
	}
	if m == 0 {
		return n, true
	}
	far := limit + 1 // stands for any distance beyond limit
	r := (*row)[:0]
	for j := 0; j <= m; j++ {
		r = append(r, min(j, far))
	}
	*row = r
	for i := 1; i <= n; i++ {
		lo, hi := max(1, i-limit), min(m, i+limit)
		diag := r[lo-1] // the entry up-left of (i, lo)
		if lo == 1 {
			r[0] = min(i, far)
		} else {
			r[lo-1] = far
		}
		rowMin := far
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur := min(r[j]+1, r[j-1]+1, diag+cost, far)
			diag = r[j]
			r[j] = cur
			rowMin = min(rowMin, cur)
		}
		if rowMin > limit {
			return far, false
		}
	}
	d := r[m]
	return d, d <= limit
}

// swapped reports whether a and b differ only in two neighbouring bytes
// that trade places.
func swapped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}
