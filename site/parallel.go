package site

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel calls work(i, buf) for every i in [0, n) on all cores. Workers
// take indexes in chunks of chunk, so that cheap items are not handed out
// one at a time; each worker has a buffer of its own to render into.
func parallel(n, chunk int, work func(i int, buf *bytes.Buffer)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, (n+chunk-1)/chunk)) {
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
