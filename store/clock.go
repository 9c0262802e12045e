package store

import (
	"sync"
	"time"
)

// Clock is the server's notion of time. Everything that expires or moves on
// its own (tokens, reservations, cooldowns, lifecycles, CDR publishing) reads
// it, so tests and the admin API can move time instead of waiting.
//
// The zero value follows the wall clock.
type Clock struct {
	mu       sync.RWMutex
	offset   time.Duration
	frozen   bool
	frozenAt time.Time
	wall     func() time.Time
}

// NewClock returns a clock that follows the wall clock.
func NewClock() *Clock { return &Clock{} }

func (c *Clock) now() time.Time {
	if c.wall != nil {
		return c.wall()
	}
	return time.Now()
}

// Now is the server time, always in UTC.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen {
		return c.frozenAt
	}
	return c.now().Add(c.offset).UTC()
}

// Advance moves server time forward (or back, with a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.frozenAt = c.frozenAt.Add(d)
		return
	}
	c.offset += d
}

// Set jumps server time to t; a frozen clock stays frozen at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.frozenAt = t.UTC()
		return
	}
	c.offset = t.Sub(c.now())
}

// Freeze stops (true) or restarts (false) server time. Restarting goes on from
// the frozen instant, not from where the wall clock has got to.
func (c *Clock) Freeze(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on == c.frozen {
		return
	}
	if on {
		c.frozenAt = c.now().Add(c.offset).UTC()
		c.frozen = true
		return
	}
	c.offset = c.frozenAt.Sub(c.now())
	c.frozen = false
}

// Reset puts the clock back on the wall clock: no offset, not frozen.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.frozen, c.frozenAt = 0, false, time.Time{}
}

// Frozen reports whether time is stopped.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen
}

// The span server time may be set or advanced to through the admin API:
// far enough for any test, near enough that offsets never overflow.
var (
	ClockMin = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	ClockMax = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckMove checks a clock move before any of it is made: set (when given)
// must lie in [ClockMin, ClockMax), advance must not be negative (time only
// moves forward) and must not carry the clock to ClockMax or beyond.
func (c *Clock) CheckMove(set *time.Time, advance time.Duration) error {
	base := c.Now()
	if set != nil {
		if set.Before(ClockMin) || !set.Before(ClockMax) {
			return invalidField("set")
		}
		base = *set
	}
	if advance < 0 || !base.Add(advance).Before(ClockMax) {
		return invalidField("advance")
	}
	return nil
}
