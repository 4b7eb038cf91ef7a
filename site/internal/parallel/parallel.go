// Package parallel spreads work over every core.
package parallel

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"
)

// Do calls work(i, buf) for every i in [0, n) on all cores. Workers
// take indexes in chunks of up to chunk, so that cheap items are not
// handed out one at a time, but of at most an eighth of each worker's
// share, so that a few costly items cannot leave one worker busy long
// after the others; each worker has a buffer of its own to render into.
func Do(n, chunk int, work func(i int, buf *bytes.Buffer)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	procs := runtime.GOMAXPROCS(0)
	chunk = max(1, min(chunk, n/(8*procs)))
	for range min(procs, max(1, (n+chunk-1)/chunk)) {
		wg.Go(func() {
			var buf bytes.Buffer
			for {
				start := int(next.Add(int64(chunk))) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					work(i, &buf)
				}
			}
		})
	}
	wg.Wait()
}
