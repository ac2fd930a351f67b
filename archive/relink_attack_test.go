package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// The attack of issue #10, item 1: an insider who holds the analysis key
// reads a response's id and link, seals to the custodians' public key a
// sensitive record naming an innocent person with that link, and adds a
// response with the same id (other answers) signed by a fresh key. The
// custodians' export must show neither the forged name nor the replaced
// response, and verify must report each forged file.

// relinkCase is the archive of one enrolled device's interview (its
// response and sensitive record), and what an attacker added to it.
type relinkCase struct {
	a                *labArchive
	custodian        labKeys
	rasoa, other     *device // enrolled
	response         *crypto.Record
	genuineSensitive string // path
}

const (
	truthName  = "Rasoa Nirina"
	forgedName = "Innocent Person"
	truthAge   = "Ambohimanga" // the village, in the response
	forgedAge  = "Forgedville"
)

func newRelinkCase(t *testing.T, withSensitive bool) *relinkCase {
	keys, custodian := x25519Keys(t), x25519Keys(t)
	c := &relinkCase{a: newLabArchive(t, keys), custodian: custodian,
		rasoa: newDevice("rasoa"), other: newDevice("hery")}
	c.a.put(c.a.sign(c.rasoa, response(crypto.NewID(), "household", "1", map[string]any{"village": "Antsirabe"})), at(0))
	r := response("0b8a1d7e-2f59-4c3e-9a41-5d8f0e6c7b12", "household", "1", map[string]any{"village": truthAge})
	r.Link = "4e0f6a52-8d3b-4f7a-b1c9-2a6e5d8c9f03"
	c.response = c.a.sign(c.rasoa, r)
	c.a.put(c.response, at(1))
	if withSensitive {
		sens := response(crypto.NewID(), "household", "1", map[string]any{"name": truthName})
		c.genuineSensitive = c.custodianArchive().put(signSensitive(t, c.rasoa, sens, c.response, custodian), at(1))
	}
	return c
}

func (c *relinkCase) custodianArchive() *labArchive {
	return &labArchive{t: c.a.t, dir: c.a.dir, keys: c.custodian}
}

// forgedSensitive is a sensitive record naming the innocent with the
// response's link, sealed to the custodian; signed by dev at the stamp of
// resp when dev is not nil.
func (c *relinkCase) forgedSensitive(dev *device, resp *crypto.Record, mod int) string {
	sens := response(crypto.NewID(), "household", "1", map[string]any{"name": forgedName})
	if dev != nil {
		signSensitive(c.a.t, dev, sens, resp, c.custodian)
	} else {
		sens.Kind, sens.Link, sens.Recipients = crypto.KindSensitive, c.response.Link, []string{c.custodian.public}
	}
	return c.custodianArchive().put(sens, at(mod))
}

// replacedResponse is the response's id with other answers, signed by
// dev (a fresh key: its chain starts at 1).
func (c *relinkCase) replacedResponse(dev *device, mod int) (*crypto.Record, string) {
	r := response(c.response.ID, "household", "1", map[string]any{"village": forgedAge})
	r.Link = c.response.Link
	r = c.a.sign(dev, r)
	return r, c.a.put(r, at(mod))
}

// export runs the custodians' export; it returns the dataset and the log.
func (c *relinkCase) export(t *testing.T, format string, signers []string) (*Summary, string, string) {
	t.Helper()
	out := t.TempDir()
	var log bytes.Buffer
	sum, err := Export(context.Background(), ExportOptions{Archive: c.a.dir, Format: format, OutDir: out, Log: &log,
		Identities: []age.Identity{c.a.keys.identity, c.custodian.identity}, Signers: signers})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, "household."+format))
	if err != nil && !os.IsNotExist(err) { // no file: no record exported
		t.Fatal(err)
	}
	return sum, string(data), log.String()
}

// verify runs verify with both keys; it returns the problems, one a line.
func (c *relinkCase) verify(t *testing.T, signers []string) string {
	t.Helper()
	problems, err := Verify(context.Background(), VerifyOptions{Archive: c.a.dir, Signers: signers,
		Identities: []age.Identity{c.a.keys.identity, c.custodian.identity}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// expect checks that each of want is in one line of text: "$1" stands
// for files[0], and so on; "a && b" wants a and b in one line.
func expect(t *testing.T, what, text string, want []string, files []string) {
	t.Helper()
	for _, w := range want {
		for i, f := range files {
			w = strings.ReplaceAll(w, "$"+string(rune('1'+i)), f)
		}
		if !slices.ContainsFunc(strings.Split(text, "\n"), func(line string) bool {
			for _, part := range strings.Split(w, " && ") {
				if !strings.Contains(line, part) {
					return false
				}
			}
			return true
		}) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func TestForgedRelinkRefused(t *testing.T) {
	tests := []struct {
		name   string
		roster bool
		// attack adds the forged files; it returns their paths ($1, $2…).
		attack func(c *relinkCase) []string
		// shown and hidden are what the dataset must and must not hold.
		shown, hidden []string
		log, problems []string
	}{{
		name:   "unsigned sensitive record and response replaced by a fresh key, enrolled devices",
		roster: true,
		attack: func(c *relinkCase) []string {
			_, resp := c.replacedResponse(newDevice("fresh"), 5)
			return []string{c.forgedSensitive(nil, nil, 6), resp}
		},
		shown:  []string{truthName, truthAge},
		hidden: []string{forgedName, forgedAge},
		log: []string{"$1: sensitive record not signed while project household signs its records: not re-linked",
			"skipped $2: $2: signed by device", "which the lab never enrolled", "exported 2 records"},
		problems: []string{"$1: sensitive record not signed, while the records of project household are",
			"$2: signed by device", "$2 && holds record 0b8a1d7e-2f59-4c3e-9a41-5d8f0e6c7b12 with other content than"},
	}, {
		name:   "the fresh key signs the forged sensitive record at its own response's place, enrolled devices",
		roster: true,
		attack: func(c *relinkCase) []string {
			fresh := newDevice("fresh")
			r, resp := c.replacedResponse(fresh, 5)
			return []string{c.forgedSensitive(fresh, r, 6), resp}
		},
		shown:    []string{truthName, truthAge},
		hidden:   []string{forgedName, forgedAge},
		log:      []string{"skipped $1: $1: signed by device", "skipped $2: $2: signed by device"},
		problems: []string{"$1: signed by device", "$2: signed by device", "$2 && holds record 0b8a1d7e"},
	}, {
		name: "unsigned sensitive record and response replaced by a fresh key, archive from before enrollment",
		attack: func(c *relinkCase) []string {
			_, resp := c.replacedResponse(newDevice("fresh"), 5)
			return []string{c.forgedSensitive(nil, nil, 6), resp}
		},
		// Neither copy is believed: the interview is left out and named.
		hidden:   []string{forgedName, forgedAge, truthAge},
		log:      []string{"$1: sensitive record not signed while project household signs", "$2 && holds record 0b8a1d7e-2f59-4c3e-9a41-5d8f0e6c7b12 with other content than && neither copy exported", "exported 1 record", "devices not checked against enrollment"},
		problems: []string{"$1: sensitive record not signed", "$2 && holds record 0b8a1d7e-2f59-4c3e-9a41-5d8f0e6c7b12 with other content than"},
	}, {
		name:   "an unsigned response and its unsigned sensitive record in a project that signs",
		roster: true,
		attack: func(c *relinkCase) []string {
			r := response(crypto.NewID(), "household", "1", map[string]any{"village": forgedAge})
			r.Link = "5a1c9e3b-7d2f-4b8a-9e6c-1f0d3a5b7c9e"
			resp := c.a.put(r, at(5))
			sens := response(crypto.NewID(), "household", "1", map[string]any{"name": forgedName})
			sens.Kind, sens.Link, sens.Recipients = crypto.KindSensitive, r.Link, []string{c.custodian.public}
			return []string{c.custodianArchive().put(sens, at(6)), resp}
		},
		shown:  []string{truthName, truthAge},
		hidden: []string{forgedName},
		log: []string{"$1: sensitive record not signed while project household signs its records: not re-linked",
			"exported, but $2 is not signed"},
		problems: []string{"$1: sensitive record not signed, while the records of project household are",
			"$2 is not signed"},
	}, {
		name:   "a sensitive record signed by another enrolled device with the right link",
		roster: true,
		attack: func(c *relinkCase) []string {
			// Hery's device signs it as if it were its own next record.
			sens := response(crypto.NewID(), "household", "1", map[string]any{"name": forgedName})
			sens.Link = c.response.Link
			return []string{c.forgedSensitive(c.other, c.a.sign(c.other, sens), 6)}
		},
		shown:    []string{truthName, truthAge},
		hidden:   []string{forgedName},
		log:      []string{"$1: sensitive record not signed by the device of the response with its link"},
		problems: []string{"$1: sensitive record not signed by the device of the response with its link"},
	}, {
		name:   "another enrolled device signs it with the response's own stamp",
		roster: true,
		attack: func(c *relinkCase) []string {
			return []string{c.forgedSensitive(c.other, c.response, 6)}
		},
		shown:    []string{truthName, truthAge},
		hidden:   []string{forgedName},
		log:      []string{"$1: sensitive record not signed by the device of the response with its link"},
		problems: []string{"$1: sensitive record not signed by the device of the response with its link"},
	}, {
		name:   "two enrolled devices sign one record id with two contents",
		roster: true,
		attack: func(c *relinkCase) []string {
			_, resp := c.replacedResponse(c.other, 5)
			return []string{resp}
		},
		hidden:   []string{forgedAge, truthAge},
		log:      []string{"$1 && holds record 0b8a1d7e-2f59-4c3e-9a41-5d8f0e6c7b12 with other content than && neither copy exported"},
		problems: []string{"$1 && holds record 0b8a1d7e-2f59-4c3e-9a41-5d8f0e6c7b12 with other content than"},
	}}
	for _, tt := range tests {
		for _, format := range []string{"csv", "jsonl"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				c := newRelinkCase(t, true)
				var signers []string
				if tt.roster {
					signers = []string{enrollDevices(t, c.a.dir, map[string]*device{"rasoa": c.rasoa, "hery": c.other})}
				}
				files := tt.attack(c)
				_, data, log := c.export(t, format, signers)
				for _, s := range tt.shown {
					if !strings.Contains(data, s) {
						t.Errorf("the export lost %q:\n%s\n%s", s, data, log)
					}
				}
				for _, s := range tt.hidden {
					if strings.Contains(data, s) {
						t.Errorf("the export shows %q:\n%s\n%s", s, data, log)
					}
				}
				expect(t, "the export's log", log, tt.log, files)
				if tt.roster && strings.Contains(log, "not checked against enrollment") {
					t.Errorf("devices were checked against enrollment, the log says not:\n%s", log)
				}
				expect(t, "verify", c.verify(t, signers), tt.problems, files)
			})
		}
	}
}

// TestRelinkBinding: the genuine interview re-links with and without
// enrollment, and the custodians' export names nothing; a sensitive record
// sealed to the analysis key alone, or a second different sensitive record
// for one response, re-links nothing.
func TestRelinkBinding(t *testing.T) {
	t.Run("genuine", func(t *testing.T) {
		for _, roster := range []bool{false, true} {
			c := newRelinkCase(t, true)
			var signers []string
			if roster {
				signers = []string{enrollDevices(t, c.a.dir, map[string]*device{"rasoa": c.rasoa})}
			}
			sum, data, log := c.export(t, "csv", signers)
			if sum.Relinked != 1 || !strings.Contains(data, truthName) {
				t.Errorf("roster %v: not re-linked: %+v\n%s\n%s", roster, sum, data, log)
			}
			if p := c.verify(t, signers); p != "" {
				t.Errorf("roster %v: verify: %s", roster, p)
			}
		}
	})
	t.Run("sealed to the analysts", func(t *testing.T) {
		c := newRelinkCase(t, false)
		sens := response(crypto.NewID(), "household", "1", map[string]any{"name": forgedName})
		signSensitive(t, c.rasoa, sens, c.response, c.a.keys)
		path := c.a.put(sens, at(3))
		sum, data, log := c.export(t, "jsonl", nil)
		if sum.Relinked != 0 || strings.Contains(data, forgedName) {
			t.Errorf("re-linked: %+v\n%s", sum, data)
		}
		expect(t, "the export's log", log, []string{path + ": sensitive record sealed to the analysis keys only"}, nil)
		expect(t, "verify", c.verify(t, nil), []string{path + ": sensitive record sealed to the analysis keys only"}, nil)
	})
	t.Run("two different sensitive records for one response", func(t *testing.T) {
		c := newRelinkCase(t, true)
		// The device itself sealed two (a fork of its own): neither is believed.
		sens := response(crypto.NewID(), "household", "1", map[string]any{"name": forgedName})
		path := c.custodianArchive().put(signSensitive(t, c.rasoa, sens, c.response, c.custodian), at(4))
		sum, data, log := c.export(t, "csv", nil)
		if sum.Relinked != 0 || strings.Contains(data, forgedName) || strings.Contains(data, truthName) {
			t.Errorf("re-linked: %+v\n%s", sum, data)
		}
		expect(t, "the export's log", log, []string{"two different sensitive records for one response"}, nil)
		expect(t, "verify", c.verify(t, nil), []string{"another sensitive record", path}, nil)
	})
}

// TestSignerWithoutRoster: a lab that gives its key to an archive that
// enrolls no device trusts none of its devices.
func TestSignerWithoutRoster(t *testing.T) {
	c := newRelinkCase(t, true)
	_, labKey, err := crypto.NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	// No record is left to export: the export fails, writing nothing.
	out := t.TempDir()
	var log bytes.Buffer
	sum, err := Export(context.Background(), ExportOptions{Archive: c.a.dir, OutDir: out, Log: &log,
		Identities: []age.Identity{c.a.keys.identity, c.custodian.identity}, Signers: []string{labKey}})
	if err == nil || !strings.Contains(err.Error(), "no record could be read") {
		t.Errorf("export of no record: err = %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "household.csv")); sum.Read != 0 || strings.Contains(string(data), truthAge) ||
		!strings.Contains(log.String(), "which the lab never enrolled") {
		t.Errorf("records of an unenrolled device exported: %+v\n%s\n%s", sum, data, log.String())
	}
	expect(t, "verify", c.verify(t, []string{labKey}), []string{"which the lab never enrolled"}, nil)
}
