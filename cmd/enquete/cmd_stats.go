package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/locales"
)

// archiveStatsUsage is the synopsis of `archive stats`.
const archiveStatsUsage = "enquete archive stats --archive SRC [--json] [--silent-days N] [--device-records-per-day N] [--device-mib-per-day N]"

// defaultSilentDays is how long a device may stay without syncing before
// `archive stats` calls it silent.
const defaultSilentDays = 3

// cmdArchiveStats prints what the archive knows of its fieldwork, per
// device and per day, without opening a record and without any key: a
// supervisor runs it on the archive's folder or bucket.
func cmdArchiveStats(e *env, args []string) error {
	f := e.newFlags(archiveStatsUsage)
	src := f.String("archive", "", "")
	silentDays := f.Int("silent-days", defaultSilentDays, "")
	recordsPerDay := f.Int64("device-records-per-day", 0, "")
	mibPerDay := f.Int64("device-mib-per-day", 0, "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	if *src == "" {
		return f.need("--archive SRC")
	}
	if *silentDays < 0 || *recordsPerDay < 0 || *mibPerDay < 0 {
		return locales.Errorf("cli.stats_negative").Hint("cli.hint.usage", archiveStatsUsage)
	}
	st, err := archiveFolder(f, "", *src)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	stats, err := archive.ArchiveStats(e.ctx, st, archive.StatsOptions{Now: now, SilentDays: *silentDays})
	if err != nil {
		return err
	}
	limits := quotaLimits{Records: *recordsPerDay, Bytes: *mibPerDay << 20}
	if e.json {
		return writeJSON(e, statsJSONOf(stats, now, *silentDays, limits))
	}
	return e.printStats(*src, stats, *silentDays, limits)
}

// quotaLimits are the servers' daily quotas per device, as given to
// `archive stats` (the archive does not keep them); 0: none given.
type quotaLimits struct {
	Records int64 `json:"records_per_day"`
	Bytes   int64 `json:"bytes_per_day"`
}

// statsJSON is `archive stats --json` (FORMAT.md, "archive stats --json").
type statsJSON struct {
	Version    int               `json:"version"`
	Generated  string            `json:"generated"`
	SilentDays int               `json:"silent_days"`
	Quota      *quotaLimits      `json:"quota,omitempty"`
	Records    int64             `json:"records"`
	Bytes      int64             `json:"bytes"`
	Unlogged   int64             `json:"unlogged"`
	Missing    int64             `json:"missing"`
	Devices    []deviceStatsJSON `json:"devices"`
	Days       []dayStatsJSON    `json:"days"`
	Silent     []string          `json:"silent"`
}

// deviceStatsJSON is one device of `archive stats --json`.
type deviceStatsJSON struct {
	Name       string `json:"name"`
	InRoster   bool   `json:"in_roster"`
	Enrolled   bool   `json:"enrolled"`
	Revoked    bool   `json:"revoked"`
	Records    int64  `json:"records"`
	Bytes      int64  `json:"bytes"`
	FirstSync  string `json:"first_sync"`
	LastSync   string `json:"last_sync"`
	Silent     bool   `json:"silent"`
	QuotaToday struct {
		Records int64 `json:"records"`
		Bytes   int64 `json:"bytes"`
	} `json:"quota_today"`
}

// dayStatsJSON is one device's day of `archive stats --json`.
type dayStatsJSON struct {
	Day     string `json:"day"`
	Device  string `json:"device"`
	Records int64  `json:"records"`
	Bytes   int64  `json:"bytes"`
}

// statsJSONOf is stats as `archive stats --json` prints it.
func statsJSONOf(s *archive.Stats, now time.Time, silentDays int, limits quotaLimits) statsJSON {
	j := statsJSON{Version: 1, Generated: now.Format(time.RFC3339), SilentDays: silentDays,
		Records: s.Records, Bytes: s.Bytes, Unlogged: s.Unlogged, Missing: s.Missing,
		Devices: []deviceStatsJSON{}, Days: []dayStatsJSON{}, Silent: []string{}}
	if limits != (quotaLimits{}) {
		j.Quota = &limits
	}
	for _, d := range s.Devices {
		dj := deviceStatsJSON{Name: d.Name, InRoster: d.InRoster, Enrolled: d.Enrolled, Revoked: d.Revoked,
			Records: d.Records, Bytes: d.Bytes, FirstSync: jsonTime(d.FirstSync), LastSync: jsonTime(d.LastSync), Silent: d.Silent}
		dj.QuotaToday.Records, dj.QuotaToday.Bytes = d.QuotaRecords, d.QuotaBytes
		j.Devices = append(j.Devices, dj)
		if d.Silent {
			j.Silent = append(j.Silent, d.Name)
		}
	}
	for _, d := range s.Days {
		j.Days = append(j.Days, dayStatsJSON{Day: d.Day, Device: d.Device, Records: d.Records, Bytes: d.Bytes})
	}
	return j
}

// jsonTime is t in RFC 3339 (UTC), "" for never.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// printStats writes stats for people: the totals, a table of devices, a
// table of days, and the silent devices.
func (e *env) printStats(src string, s *archive.Stats, silentDays int, limits quotaLimits) error {
	fmt.Fprintln(e.stdout, locales.N(e.lang, "cli.stats_total", int(s.Records), int(s.Records), src, e.statsSize(s.Bytes)))
	if s.Unlogged > 0 {
		fmt.Fprintln(e.stdout, locales.N(e.lang, "cli.stats_unlogged", int(s.Unlogged), int(s.Unlogged)))
	}
	if s.Missing > 0 {
		fmt.Fprintln(e.stdout, locales.N(e.lang, "cli.stats_missing", int(s.Missing), int(s.Missing)))
	}
	if err := e.printDeviceStats(s, limits); err != nil {
		return err
	}
	if err := e.printDayStats(s); err != nil {
		return err
	}
	var silent []string
	for _, d := range s.Devices {
		if d.Silent {
			silent = append(silent, e.statsDevice(d.Name))
		}
	}
	fmt.Fprintln(e.stdout)
	if len(silent) == 0 {
		fmt.Fprintln(e.stdout, locales.N(e.lang, "cli.stats_none_silent", silentDays, silentDays))
		return nil
	}
	fmt.Fprintln(e.stdout, locales.N(e.lang, "cli.stats_silent", silentDays, silentDays, strings.Join(silent, ", ")))
	return nil
}

// printDeviceStats writes the table of devices, if any.
func (e *env) printDeviceStats(s *archive.Stats, limits quotaLimits) error {
	if len(s.Devices) == 0 {
		return nil
	}
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	e.statsRow(tw, "cli.stats_col_device", "cli.stats_col_state", "cli.stats_col_records", "cli.stats_col_bytes",
		"cli.stats_col_last_sync", "cli.stats_col_quota")
	for _, d := range s.Devices {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", e.statsDevice(d.Name), e.statsDeviceState(d), d.Records, e.statsSize(d.Bytes),
			e.statsLastSync(d.LastSync), e.statsQuota(d, limits))
	}
	return tw.Flush()
}

// printDayStats writes the table of each device's days, if any.
func (e *env) printDayStats(s *archive.Stats) error {
	if len(s.Days) == 0 {
		return nil
	}
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	e.statsRow(tw, "cli.stats_col_day", "cli.stats_col_device", "cli.stats_col_records", "cli.stats_col_bytes")
	for _, d := range s.Days {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", d.Day, e.statsDevice(d.Device), d.Records, e.statsSize(d.Bytes))
	}
	return tw.Flush()
}

// statsRow writes a table's header, each column a locales key.
func (e *env) statsRow(tw *tabwriter.Writer, keys ...string) {
	cols := make([]string, len(keys))
	for i, k := range keys {
		cols[i] = locales.T(e.lang, k)
	}
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
}

// statsDevice is a device's name, or what stands for records no entry
// attributes to a device.
func (e *env) statsDevice(name string) string {
	if name == "" {
		return locales.T(e.lang, "cli.stats_unattributed")
	}
	return name
}

// statsDeviceState says where a device stands in the roster.
func (e *env) statsDeviceState(d archive.DeviceStats) string {
	switch {
	case d.Name == "":
		return "-"
	case !d.InRoster:
		return locales.T(e.lang, "cli.stats_not_in_roster")
	case d.Revoked:
		return locales.T(e.lang, "cli.device_revoked")
	case d.Enrolled:
		return locales.T(e.lang, "cli.stats_enrolled")
	}
	return locales.T(e.lang, "cli.device_waiting")
}

// statsLastSync is a device's last sync, in UTC, or "never".
func (e *env) statsLastSync(t time.Time) string {
	if t.IsZero() {
		return locales.T(e.lang, "cli.stats_never")
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// statsQuota is what a device used of today's quotas, against the limits
// when given.
func (e *env) statsQuota(d archive.DeviceStats, limits quotaLimits) string {
	if d.Name == "" {
		return "-"
	}
	use := locales.N(e.lang, "cli.stats_quota_records", int(d.QuotaRecords), int(d.QuotaRecords))
	if limits.Records > 0 {
		use += " / " + fmt.Sprint(limits.Records)
	}
	use += ", " + e.statsSize(d.QuotaBytes)
	if limits.Bytes > 0 {
		use += " / " + e.statsSize(limits.Bytes)
	}
	return use
}

// statsSize writes n bytes in the largest binary unit under which it is at
// least 1, with the unit's localized symbol.
func (e *env) statsSize(n int64) string {
	units := []string{"cli.stats_unit_b", "cli.stats_unit_kib", "cli.stats_unit_mib", "cli.stats_unit_gib", "cli.stats_unit_tib"}
	if n < 1024 {
		return locales.T(e.lang, units[0], fmt.Sprint(n))
	}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v, u = v/1024, u+1
	}
	return locales.T(e.lang, units[u], fmt.Sprintf("%.1f", v))
}
