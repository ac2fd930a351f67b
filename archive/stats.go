package archive

import (
	"context"
	"encoding/hex"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Supervision without decrypting: what an archive already knows of its
// fieldwork — its receipt log (which device's batch, which record names,
// when), its roster of enrolled devices, its records' sizes and the
// servers' quota counters — summed per device and per day. [ArchiveStats]
// never opens a record (it lists them with their sizes), and needs no
// key: a supervisor without the lab's key can run it.

// StatsOptions says what [ArchiveStats] compares against.
type StatsOptions struct {
	// Now is the time the figures are for (the quotas' day, silence).
	Now time.Time
	// SilentDays: an active device that has not synced for more than
	// SilentDays days (or never) is silent.
	SilentDays int
}

// Stats is what [ArchiveStats] found.
type Stats struct {
	Records  int64 // records stored
	Bytes    int64 // their size
	Unlogged int64 // records stored that no receipt log entry names (copied in, from before the log)
	Missing  int64 // records the log names that are not stored

	Devices []DeviceStats // the roster's devices, then others the log names, by name; "" last
	Days    []DayStats    // by day, then device
}

// DeviceStats is one device's fieldwork, as the archive saw it arrive.
// Name "" gathers the records no entry attributes to a device.
type DeviceStats struct {
	Name      string
	InRoster  bool // the lab added it
	Enrolled  bool // a device proved its code
	Revoked   bool
	Records   int64 // records it sent first (a record sent again counts once)
	Bytes     int64
	FirstSync time.Time // zero: never
	LastSync  time.Time // zero: never
	Silent    bool      // active, and no sync for more than SilentDays (or never)
	// QuotaRecords and QuotaBytes are what the servers counted against
	// the device's daily quota today (UTC), when quotas are on.
	QuotaRecords, QuotaBytes int64
}

// DayStats is what one device's batches brought on one UTC day.
type DayStats struct {
	Day     string // YYYY-MM-DD
	Device  string // "": not attributed
	Records int64
	Bytes   int64
}

// seenSize marks a record name the log already named.
const seenSize = -1

// ArchiveStats sums what the archive st knows of its fieldwork (see
// [Stats]). It lists the records with their sizes and reads the state;
// it never opens a record. Memory holds one entry per record (its
// name's sum and size) and one per device and day.
func ArchiveStats(ctx context.Context, st Store, opts StatsOptions) (*Stats, error) {
	s := &Stats{}
	sizes := map[[32]byte]int64{}
	err := st.Walk(ctx, func(name string, size int64) error {
		sizes[nameSum(name)] = size
		s.Records++
		s.Bytes += size
		return nil
	})
	if err != nil {
		return nil, err
	}
	devices := map[string]*DeviceStats{}
	device := func(name string) *DeviceStats {
		d, ok := devices[name]
		if !ok {
			d = &DeviceStats{Name: name}
			devices[name] = d
		}
		return d
	}
	days := map[[2]string]*DayStats{}
	err = ReadDeviceReceiptLog(ctx, st, func(dev, name string, at time.Time) error {
		sum := nameSum(name)
		size, stored := sizes[sum]
		if size == seenSize {
			return nil
		}
		sizes[sum] = seenSize
		if !stored {
			s.Missing++
			size = 0
		}
		d := device(dev)
		d.Records++
		d.Bytes += size
		if d.FirstSync.IsZero() || at.Before(d.FirstSync) {
			d.FirstSync = at
		}
		if at.After(d.LastSync) {
			d.LastSync = at
		}
		key := [2]string{at.UTC().Format(time.DateOnly), dev}
		day, ok := days[key]
		if !ok {
			day = &DayStats{Day: key[0], Device: dev}
			days[key] = day
		}
		day.Records++
		day.Bytes += size
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, size := range sizes {
		if size != seenSize {
			s.Unlogged++
		}
	}
	if err := addRoster(ctx, st, device); err != nil {
		return nil, err
	}
	if err := addQuotas(ctx, st, opts.Now, device); err != nil {
		return nil, err
	}
	s.Devices = sortedDevices(devices, opts)
	s.Days = sortedDays(days)
	return s, nil
}

// nameSum is the SHA-256 a record name spells (names are checked valid).
func nameSum(name string) (sum [32]byte) {
	hex.Decode(sum[:], []byte(strings.TrimSuffix(name, NameSuffix)))
	return sum
}

// addRoster marks the devices of st's roster.
func addRoster(ctx context.Context, st State, device func(string) *DeviceStats) error {
	roster, err := Devices(ctx, st)
	if err != nil {
		return err
	}
	for _, r := range roster {
		d := device(r.Name)
		d.InRoster, d.Enrolled, d.Revoked = true, r.Proof != nil, r.Revoked != nil
	}
	return nil
}

// addQuotas adds the quota counters the servers kept for now's UTC day
// ("quota/DAY/DEVICE/NANOS-RANDOM-RECORDS-BYTES", see sync's quotas).
func addQuotas(ctx context.Context, st State, now time.Time, device func(string) *DeviceStats) error {
	prefix := "quota/" + now.UTC().Format(time.DateOnly) + "/"
	names, err := st.ListState(ctx, prefix)
	if err != nil {
		return err
	}
	for _, name := range names {
		dev, batch, ok := strings.Cut(strings.TrimPrefix(name, prefix), "/")
		parts := strings.Split(path.Base(batch), "-")
		if !ok || len(parts) != 4 || !ValidDeviceName(dev) {
			continue
		}
		records, err1 := strconv.ParseInt(parts[2], 10, 64)
		bytes, err2 := strconv.ParseInt(parts[3], 10, 64)
		if err1 == nil && err2 == nil && records >= 0 && bytes >= 0 {
			d := device(dev)
			d.QuotaRecords += records
			d.QuotaBytes += bytes
		}
	}
	return nil
}

// sortedDevices lists devices by name, the unattributed ("") last, and
// says which are silent.
func sortedDevices(devices map[string]*DeviceStats, opts StatsOptions) []DeviceStats {
	out := make([]DeviceStats, 0, len(devices))
	for _, d := range devices {
		active := d.InRoster && !d.Revoked
		d.Silent = active && (d.LastSync.IsZero() || opts.Now.Sub(d.LastSync) > time.Duration(opts.SilentDays)*24*time.Hour)
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == "") != (out[j].Name == "") {
			return out[j].Name == ""
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// sortedDays lists days oldest first, each day's devices by name.
func sortedDays(days map[[2]string]*DayStats) []DayStats {
	out := make([]DayStats, 0, len(days))
	for _, d := range days {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].Device < out[j].Device
	})
	return out
}
