package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Store is an archive's records and state in one place: a [Folder] or
// an [S3] bucket.
type Store interface {
	Storage
	State
}

// OpenStore opens the archive at addr: "s3://BUCKET/PREFIX" ([OpenS3]) or
// a folder, made first when create is set.
func OpenStore(ctx context.Context, addr string, create bool) (Store, error) {
	switch {
	case IsS3URL(addr):
		return OpenS3(ctx, addr)
	case create:
		return CreateFolder(addr)
	}
	return NewFolder(addr)
}

// CopySummary counts what [Copy] did.
type CopySummary struct {
	Copied, Present int // records copied, and found already at the destination
	State           int // state entries copied (key, roster, heads, receipt log)
	Failed          int // records or state entries that could not be copied (each reported)
}

// maxCopiedRecord bounds one record read for a copy: the largest sealed
// record an export opens.
const maxCopiedRecord = crypto.DefaultMaxPlaintext + crypto.DefaultMaxPlaintext/4 + 1<<20

// Copy copies the archive from into to: every record the destination
// lacks, checked against its name as it is stored (Put refuses bytes that
// do not hash to their name), then the state (the archive's key, its
// roster, the devices' chain heads, the receipt log, so that arrival times
// travel). It can be cut and run again: what the destination holds is
// skipped. A state entry the destination holds with other content is not
// overwritten: it is reported (two archives merged into one would mix
// keys and rosters). report receives one error per record or entry that
// could not be copied; Copy stops only when a store cannot be listed.
func Copy(ctx context.Context, from, to Store, report func(error)) (CopySummary, error) {
	var sum CopySummary
	err := from.Walk(ctx, func(name string, size int64) error {
		switch have, err := to.Has(ctx, name); {
		case err != nil:
			return err
		case have:
			sum.Present++
			return nil
		}
		if err := copyRecord(ctx, from, to, name); err != nil {
			sum.Failed++
			report(err)
			return nil
		}
		sum.Copied++
		return nil
	})
	if err != nil {
		return sum, err
	}
	names, err := from.ListState(ctx, "")
	if err != nil {
		return sum, err
	}
	for _, name := range names {
		copied, err := copyState(ctx, from, to, name)
		switch {
		case err != nil:
			sum.Failed++
			report(err)
		case copied:
			sum.State++
		}
	}
	return sum, nil
}

// copyRecord copies one record; Put checks it against its name.
func copyRecord(ctx context.Context, from, to Store, name string) error {
	r, err := from.Open(ctx, name)
	if err != nil {
		return err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxCopiedRecord+1))
	if err != nil {
		return err
	}
	if len(data) > maxCopiedRecord {
		return locales.Errorf("archive.copy.too_large", name)
	}
	return to.Put(ctx, name, data)
}

// copyState copies one state entry unless the destination has it; it
// reports whether it wrote it.
func copyState(ctx context.Context, from, to Store, name string) (bool, error) {
	data, err := from.GetState(ctx, name)
	if err != nil {
		return false, err
	}
	err = to.CreateState(ctx, name, data)
	if !errors.Is(err, fs.ErrExist) {
		return err == nil, err
	}
	have, err := to.GetState(ctx, name)
	if err != nil {
		return false, err
	}
	if !bytes.Equal(have, data) {
		return false, locales.Errorf("archive.copy.state_differs", name)
	}
	return false, nil
}
