//go:build !unix

package benchmeter

import "time"

// CPUTime is not measured here: CPU-time metrics read 0.
func CPUTime() time.Duration { return 0 }
