package archive

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
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

	Devices []DeviceStats // the roster's devices and those the log names, by name; "" last
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
	FirstSync time.Time // its first record's arrival; zero: never
	LastSync  time.Time // its last batch's arrival, sent again or not; zero: never
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

// ArchiveStats sums what the archive st knows of its fieldwork (see
// [Stats]). It lists the records with their sizes and reads the state;
// it never opens a record. Memory stays flat: the listing's (name, size)
// and the log's (name, arrival, device) go through an external sort by
// name in a temporary folder (names, sizes and times only, as export's
// sorters hold), joined one name at a time; what stays in memory is one
// sum per device and day.
func ArchiveStats(ctx context.Context, st Store, opts StatsOptions) (*Stats, error) {
	work, err := os.MkdirTemp("", "enquete-stats-*") // record names, sizes and times only
	if err != nil {
		return nil, locales.Errorf("archive.stats.work", os.TempDir(), err).Wrap(err)
	}
	defer os.RemoveAll(work)
	j := &statsJoin{sorted: newSorter(work, "stats", statsSortMemory), stats: &Stats{},
		devices: map[string]*DeviceStats{}, days: map[[2]string]*DayStats{}}
	if err := j.read(ctx, st); err != nil {
		return nil, err
	}
	if err := j.sorted.Each(j.join); err != nil {
		return nil, err
	}
	j.flush()
	if err := addRoster(ctx, st, j.device); err != nil {
		return nil, err
	}
	if err := addQuotas(ctx, st, opts.Now, j.device); err != nil {
		return nil, err
	}
	j.stats.Devices = sortedDevices(j.devices, opts)
	j.stats.Days = sortedDays(j.days)
	return j.stats, nil
}

// statsSortMemory is how many bytes of the join's entries are sorted in
// memory before they go to a run file.
var statsSortMemory = 1 << 20

// Sorted entries of the join: the record name's SHA-256, then a kind
// (stored sorts before logged, so a name's size comes first), then
//
//	stored: size, 8 bytes big-endian
//	logged: arrival in Unix nanoseconds + 1<<63, 8 bytes big-endian (the
//	        earliest first), then the device's number, 4 bytes
const (
	joinStored = 0
	joinLogged = 1
	joinKey    = 32
)

// statsJoin joins an archive's listing with its receipt log, name by name.
type statsJoin struct {
	sorted  *sorter
	stats   *Stats
	names   []string // device numbers → names ("" first: no device)
	numbers map[string]uint32
	devices map[string]*DeviceStats
	days    map[[2]string]*DayStats

	// the name being joined
	key     [joinKey]byte
	started bool
	size    int64
	stored  bool
	logged  bool
}

// read sorts the listing and the log.
func (j *statsJoin) read(ctx context.Context, st Store) error {
	var e [joinKey + 1 + 8 + 4]byte
	err := st.Walk(ctx, func(name string, size int64) error {
		j.stats.Records++
		j.stats.Bytes += size
		e := append(nameKey(e[:0], name), joinStored)
		return j.sorted.Add(binary.BigEndian.AppendUint64(e, uint64(size)))
	})
	if err != nil {
		return err
	}
	j.numbers = map[string]uint32{}
	return ReadDeviceReceiptLog(ctx, st, func(device, name string, at time.Time) error {
		n, ok := j.numbers[device]
		if !ok {
			n = uint32(len(j.names))
			j.numbers[device] = n
			j.names = append(j.names, device)
		}
		e := append(nameKey(e[:0], name), joinLogged)
		e = binary.BigEndian.AppendUint64(e, uint64(at.UnixNano())+1<<63)
		return j.sorted.Add(binary.BigEndian.AppendUint32(e, n))
	})
}

// nameKey appends the SHA-256 a record name spells (names are valid).
func nameKey(dst []byte, name string) []byte {
	var sum [joinKey]byte
	hex.Decode(sum[:], []byte(strings.TrimSuffix(name, NameSuffix)))
	return append(dst, sum[:]...)
}

// join takes the next sorted entry: a name's size, then its arrivals,
// earliest first; the first arrival counts.
func (j *statsJoin) join(e []byte) error {
	if len(e) < joinKey+1+8 {
		return nil
	}
	if !j.started || !bytes.Equal(e[:joinKey], j.key[:]) {
		j.flush()
		copy(j.key[:], e[:joinKey])
		j.started, j.size, j.stored, j.logged = true, 0, false, false
	}
	switch {
	case e[joinKey] == joinStored:
		j.size, j.stored = int64(binary.BigEndian.Uint64(e[joinKey+1:])), true
	case len(e) == joinKey+1+8+4:
		at := time.Unix(0, int64(binary.BigEndian.Uint64(e[joinKey+1:])-1<<63)).UTC()
		device := j.names[binary.BigEndian.Uint32(e[joinKey+1+8:])]
		if !j.logged {
			j.logged = true
			j.arrived(device, at)
		}
		if d := j.device(device); at.After(d.LastSync) {
			d.LastSync = at // a batch sent again is a sync too
		}
	}
	return nil
}

// arrived counts the name being joined as received at at from device.
func (j *statsJoin) arrived(device string, at time.Time) {
	size := j.size
	if !j.stored {
		j.stats.Missing++
	}
	d := j.device(device)
	d.Records++
	d.Bytes += size
	if d.FirstSync.IsZero() || at.Before(d.FirstSync) {
		d.FirstSync = at
	}
	key := [2]string{at.Format(time.DateOnly), device}
	day, ok := j.days[key]
	if !ok {
		day = &DayStats{Day: key[0], Device: device}
		j.days[key] = day
	}
	day.Records++
	day.Bytes += size
}

// flush ends the name being joined: a record stored and never logged.
func (j *statsJoin) flush() {
	if j.started && j.stored && !j.logged {
		j.stats.Unlogged++
	}
}

// device is the sums of the device name, made on first use.
func (j *statsJoin) device(name string) *DeviceStats {
	d, ok := j.devices[name]
	if !ok {
		d = &DeviceStats{Name: name}
		j.devices[name] = d
	}
	return d
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
