package archive

import (
	"runtime"
	"sync"
)

// A device chains its records: each one signs the canonical hash of the
// one before as its Device.Prev. A record whose signature holds therefore
// proves the record it names, byte for byte, and that one the record
// before it, and so on. The export uses this to check one signature per
// run of a device's records instead of one per record: a worker puts off
// the check of a response or sensitive record written canonical
// ([crypto.Record.PrepareParsed]), and chainCheck, in the export's order,
// drops the check of every record an authentic record names and runs the
// others.
//
// Records come newest first, so a device's newer record, named first,
// proves the older ones that follow. Records that arrived together (one
// batch, one arrival time) come in the order of their file names, that is
// in no order of the chain: chainCheck holds such a group (at most
// chainPoolMax records) until the next arrival time, then runs the checks
// of the group's chain tops, in parallel, before passing the records on in
// their order. A check that fails is not trusted to mean forgery on its
// own (it covers the bytes as written): the file is opened again and
// checked the way it is when nothing is put off.

// chainPoolMax is the most records a chainCheck holds at once.
const chainPoolMax = 512

// chainVouchedMax bounds the hashes remembered as named by authentic
// records whose named record has not come yet; past it they are forgotten
// (their records are then checked by signature).
const chainVouchedMax = 1 << 16

// chainLink is one record of one device: its key and canonical hash.
type chainLink struct{ key, hash string }

// chainCheck holds records whose signature check was put off until a
// record of their device's chain proves them, or their own check runs.
type chainCheck struct {
	reopen  func(archiveFile) *opened // opens a file with every check run
	accept  func(*opened) *opened     // checks a proven record further (enrollment)
	next    func(*opened) error       // where records go, in order
	pool    []*opened                 // records held, in order
	vouched map[chainLink]struct{}    // records named by authentic records passed on, not met yet
	checked int                       // signatures checked here
	proven  int                       // records proven by their chain
}

// newChainCheck returns a chainCheck passing records to next.
func newChainCheck(reopen func(archiveFile) *opened, accept func(*opened) *opened, next func(*opened) error) *chainCheck {
	return &chainCheck{reopen: reopen, accept: accept, next: next, vouched: map[chainLink]struct{}{}}
}

// take holds o with the records that arrived with it, passing on the
// group held before when o arrived at another time.
func (c *chainCheck) take(o *opened) error {
	if len(c.pool) > 0 && (!o.file.mod.Equal(c.pool[0].file.mod) || len(c.pool) >= chainPoolMax) {
		if err := c.flush(); err != nil {
			return err
		}
	}
	c.pool = append(c.pool, o)
	return nil
}

// flush decides the held records' checks and passes them on in order.
func (c *chainCheck) flush() error {
	failed := c.resolve()
	inPool := map[chainLink]bool{}
	for _, o := range c.pool {
		if l, ok := linkOf(o); ok {
			inPool[l] = true
			delete(c.vouched, l) // met: decided with the pool
		}
	}
	for i, o := range c.pool {
		switch {
		case failed[o]:
			o = c.reopen(o.file)
		case o.err == nil && o.rec != nil && o.deferred:
			o = c.accept(o)
		}
		c.vouch(o, inPool)
		c.pool[i] = nil
		if err := c.next(o); err != nil {
			return err
		}
	}
	c.pool = c.pool[:0]
	return nil
}

// vouch remembers the record an authentic record o names, unless it was
// held with o (and so already decided).
func (c *chainCheck) vouch(o *opened, inPool map[chainLink]bool) {
	if o.err != nil || o.rec == nil || o.rec.Device == nil || o.rec.Device.Prev == "" {
		return
	}
	l := chainLink{o.rec.Device.Key, o.rec.Device.Prev}
	if inPool[l] {
		return
	}
	if len(c.vouched) >= chainVouchedMax {
		clear(c.vouched)
	}
	c.vouched[l] = struct{}{}
}

// linkOf is o's place in its device's chain, when its hash is known from
// its bytes.
func linkOf(o *opened) (chainLink, bool) {
	if o.rec == nil || o.rec.Device == nil || o.written == "" {
		return chainLink{}, false
	}
	return chainLink{o.rec.Device.Key, o.written}, true
}

// resolve decides every put-off check of the pool: records named by an
// authentic record are proven, the others' signatures checked, tops of
// chains first. It returns the records whose check failed. Copies of one
// record (one link) share one check.
func (c *chainCheck) resolve() map[*opened]bool {
	waiting := map[chainLink][]*opened{}
	for _, o := range c.pool {
		if o.check != nil && o.err != nil { // refused for another reason first
			o.check.Discard()
			o.check = nil
		}
		if o.check != nil {
			l, _ := linkOf(o)
			waiting[l] = append(waiting[l], o)
		}
	}
	if len(waiting) == 0 {
		return nil
	}
	prove := func(key, hash string) {
		for hash != "" {
			l := chainLink{key, hash}
			copies := waiting[l]
			if copies == nil {
				return
			}
			delete(waiting, l)
			for _, o := range copies {
				o.check.Discard()
				o.check = nil
				c.proven++
			}
			hash = copies[0].rec.Device.Prev
		}
	}
	for l := range waiting {
		if _, ok := c.vouched[l]; ok {
			delete(c.vouched, l)
			prove(l.key, l.hash)
		}
	}
	for _, o := range c.pool {
		if authenticByWorker(o) {
			prove(o.rec.Device.Key, o.rec.Device.Prev)
		}
	}
	failed := map[*opened]bool{}
	for len(waiting) > 0 {
		tops := chainTops(waiting)
		held := c.runChecks(tops)
		for i, copies := range tops {
			l, _ := linkOf(copies[0])
			delete(waiting, l)
			if !held[i] {
				for _, o := range copies {
					failed[o] = true
					if o.check != nil {
						o.check.Discard()
						o.check = nil
					}
				}
				continue
			}
			for _, o := range copies[1:] {
				o.check.Discard()
				o.check = nil
			}
			prove(l.key, copies[0].rec.Device.Prev)
		}
	}
	return failed
}

// authenticByWorker says o is a device's record whose signature its worker
// checked (and that was not refused).
func authenticByWorker(o *opened) bool {
	return o.err == nil && o.rec != nil && o.rec.Device != nil && !o.deferred
}

// chainTops are the waiting records no other waiting record names: the
// newest of each run. (Every record is one only if the records name each
// other in a cycle, which SHA-256 rules out.)
func chainTops(waiting map[chainLink][]*opened) [][]*opened {
	named := map[chainLink]bool{}
	for l, copies := range waiting {
		named[chainLink{l.key, copies[0].rec.Device.Prev}] = true
	}
	var tops [][]*opened
	for l, copies := range waiting {
		if !named[l] {
			tops = append(tops, copies)
		}
	}
	if len(tops) == 0 {
		for _, copies := range waiting {
			tops = append(tops, copies)
		}
	}
	return tops
}

// runChecks runs, in parallel, the put-off check of the first copy of each
// record of tops, and reports which held.
func (c *chainCheck) runChecks(tops [][]*opened) []bool {
	held := make([]bool, len(tops))
	c.checked += len(tops)
	workers := min(runtime.GOMAXPROCS(0), len(tops))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(tops); i += workers {
				o := tops[i][0]
				held[i] = o.check.Verify()
				o.check = nil
			}
		})
	}
	wg.Wait()
	return held
}
