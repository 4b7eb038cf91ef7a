package site

// suggest returns the id in known nearest to id by edit distance, for a
// "did you mean" hint, or "" when none is close enough to be a likely typo.
//
// A candidate is close when its Levenshtein distance from id is at most
// max(2, len(id)/3) and smaller than the longer of the two lengths (so that
// "x" never suggests "us": a hint must share something with what was
// written). Ties go to the lexically smallest candidate, so the hint is
// stable from one build to the next. Candidates whose length differs from
// id's by more than the best distance so far are skipped without computing
// anything, which keeps a lookup among thousands of ids cheap.
func suggest(id string, known []string) string {
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
		d, ok := distance(id, k, min(bestDist, limit), &row)
		if !ok || d >= max(len(id), len(k)) {
			continue
		}
		if d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	return best
}

// distance returns the Levenshtein distance between a and b, counted in
// bytes, and reports whether it is at most limit. It gives up as soon as
// every entry of a row exceeds limit. row is scratch space reused between
// calls.
func distance(a, b string, limit int, row *[]int) (int, bool) {
	if len(a) < len(b) {
		a, b = b, a
	}
	// b is the shorter string; the row has one entry per byte of b.
	r := (*row)[:0]
	for j := 0; j <= len(b); j++ {
		r = append(r, j)
	}
	*row = r
	for i := 1; i <= len(a); i++ {
		prev := r[0] // the entry diagonally up-left
		r[0] = i
		rowMin := r[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur := min(r[j]+1, r[j-1]+1, prev+cost)
			prev = r[j]
			r[j] = cur
			rowMin = min(rowMin, cur)
		}
		if rowMin > limit {
			return rowMin, false
		}
	}
	d := r[len(b)]
	return d, d <= limit
}
