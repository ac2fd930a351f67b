package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// Names inside the home (see the package documentation for the layout).
const (
	deviceName  = "device.age"
	chainName   = "chain.age"
	notesName   = "records.age" // what the outbox holds, for lists (records.go)
	lockName    = "lock"
	projectsDir = "projects"
	projectName = "project.enquete"
	pinName     = "pin"
	endorseName = "endorsement"
	// sealedFormsDir holds one empty file per questionnaire hash already
	// sealed into the project's outbox (the form is public in the project file).
	sealedFormsDir = "sealed-forms"
	versionsDir    = "versions" // replaced project files kept for drafts (versions.go)
	draftsDir      = "drafts"
	outboxDir      = "outbox"
	syncedDir      = "synced"
	settingsName   = "settings.json"
	demoDir        = "demo"
	demoKeyName    = "DEMO-archive-key.txt"
)

// Home is an opened ENQUETE_HOME.
type Home struct {
	dir string
	fs  FS
	mu  sync.Mutex // serializes the changes this process makes

	workFactor int // scrypt log2 N for device.age; 0: crypto's default (tests lower it)

	clock func() time.Time // the device's clock; nil: time.Now (tests set it)
}

// Open opens the home in dir, creating it (mode 0700) and its folders
// (projects, drafts, outbox) when missing. Take [Home.Lock] before changing
// anything.
func Open(dir string) (*Home, error) {
	return openFS(dir, osFS)
}

// OpenFS is [Open] through fsys: tests wrap [OSFS] to inject failures or
// to watch what the store writes and frees.
func OpenFS(dir string, fsys FS) (*Home, error) {
	return openFS(dir, fsys)
}

// osFS is the file system [Open] uses: the real one. (A test build of the
// enquete command, tag killtest, wraps it to die at a chosen step.)
var osFS FS = OSFS{}

// openFS opens the home through fsys (tests inject faults with it).
func openFS(dir string, fsys FS) (*Home, error) {
	if dir == "" {
		return nil, locales.Errorf("store.no_home").Hint("store.no_home.hint")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, locales.Errorf("store.home_failed", dir, causeText(err)).Wrap(err)
	}
	h := &Home{dir: abs, fs: fsys}
	for _, d := range []string{abs, h.path(projectsDir), h.path(draftsDir), h.path(outboxDir)} {
		if err := h.mkdir(d); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Dir returns the home's folder (absolute).
func (h *Home) Dir() string { return h.dir }

// path joins elements under the home.
func (h *Home) path(elem ...string) string {
	return filepath.Join(append([]string{h.dir}, elem...)...)
}

// mkdir creates dir (0700) if missing and makes its creation durable by
// syncing its parent.
func (h *Home) mkdir(dir string) error {
	if fi, err := h.fs.Stat(dir); err == nil {
		if !fi.IsDir() {
			return locales.Errorf("store.home_failed", dir, "not a folder")
		}
		return nil
	}
	if err := h.fs.MkdirAll(dir, 0o700); err != nil {
		if isDiskFull(err) {
			return locales.Errorf("store.disk_full", dir).Hint("store.disk_full.hint").Wrap(err)
		}
		return locales.Errorf("store.home_failed", dir, causeText(err)).Wrap(err)
	}
	if err := h.fs.SyncDir(filepath.Dir(dir)); err != nil {
		return locales.Errorf("store.home_failed", dir, causeText(err)).Wrap(err)
	}
	h.blurTimes(dir)
	return nil
}

// exists reports whether path exists (any error other than "not there"
// counts as existing, so nothing is overwritten by mistake).
func (h *Home) exists(path string) bool {
	_, err := h.fs.Stat(path)
	return err == nil || !isNotExist(err)
}

func isNotExist(err error) bool { return err != nil && errors.Is(err, fs.ErrNotExist) }

// DefaultDir is the home enquete uses: ENQUETE_HOME when set, else $XDG_DATA_HOME/enquete, else
// ~/.local/share/enquete on Linux and other unix systems,
// ~/Library/Application Support/enquete on macOS, %LocalAppData%\enquete on
// Windows (local, not roaming: a domain must not copy drafts to its servers).
func DefaultDir() (string, error) {
	if d := os.Getenv("ENQUETE_HOME"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "enquete"), nil
		}
	case "darwin", "ios":
		if d, err := os.UserConfigDir(); err == nil {
			return filepath.Join(d, "enquete"), nil
		}
	default:
		if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
			return filepath.Join(d, "enquete"), nil
		}
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if d, err := os.UserHomeDir(); err == nil {
			return filepath.Join(d, ".local", "share", "enquete"), nil
		}
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", locales.Errorf("store.no_home").Hint("store.no_home.hint").Wrap(err)
	}
	return filepath.Join(d, "enquete"), nil
}
