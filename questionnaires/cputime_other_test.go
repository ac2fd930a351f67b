//go:build !unix

package questionnaires

import "time"

// cpuTime is not measured here: the cpu-µs/record metric reads 0.
func cpuTime() time.Duration { return 0 }
