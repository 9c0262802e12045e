package store

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Generated calls. Every hour of every partition has its own random source,
// seeded from (seed, partitionId, hour), so a file's content depends on
// nothing but those and the store's state: no wall clock, no map order.
//
// Until accounts and numbers exist in the store, the parties are fictional
// numbers: on-net NPA-555-0100..0149 in the partition's area code (taken from
// its customer service number) and off-net NPA-555-01XX elsewhere, plus
// toll-free 1-800-555-01XX and an international 011 number.

// hourSource is the random source of one partition-hour.
func hourSource(seed uint64, partitionID string, hour time.Time) *rand.Rand {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(partitionID))
	h.Write([]byte{0})
	binary.BigEndian.PutUint64(b[:], uint64(hour.Unix()))
	h.Write(b[:])
	sum := h.Sum(nil)
	return rand.New(rand.NewPCG(binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])))
}

// randomUUID is a version-4 UUID drawn from r (deterministic for a seed).
func randomUUID(r *rand.Rand) string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], r.Uint64())
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// rateCenter is a fictional rate center for an area code.
type rateCenter struct{ npa, city, state string }

var rateCenters = []rateCenter{
	{"202", "Washington", "DC"}, {"212", "New York", "NY"}, {"303", "Denver", "CO"},
	{"305", "Miami", "FL"}, {"312", "Chicago", "IL"}, {"404", "Atlanta", "GA"},
	{"415", "San Francisco", "CA"}, {"512", "Austin", "TX"}, {"617", "Boston", "MA"},
	{"702", "Las Vegas", "NV"}, {"801", "Salt Lake City", "UT"}, {"919", "Raleigh", "NC"},
}

func rateCenterOf(npa string) rateCenter {
	for _, rc := range rateCenters {
		if rc.npa == npa {
			return rc
		}
	}
	return rateCenter{npa, "Springfield", "IL"}
}

func (rc rateCenter) abbr() string {
	s := strings.ToUpper(strings.ReplaceAll(rc.city, " ", ""))
	if len(s) > 10 {
		s = s[:10]
	}
	return s
}

// partitionNPA is the partition's home area code: from an 11-digit NANP
// customer service number, else a stable pick from the table.
func partitionNPA(p *Partition) string {
	n := p.CustomerServiceNumber
	if len(n) == 11 && n[0] == '1' {
		return n[1:4]
	}
	sum := sha256.Sum256([]byte(p.ID))
	return rateCenters[int(sum[0])%len(rateCenters)].npa
}

// subscriber is an on-net party of generated calls: a number of the
// partition and, once the store holds accounts, who owns it. Fields left
// empty stay out of the records.
type subscriber struct {
	Number        string
	AcctID        string
	AccountNumber string
	ReferenceID   string
	ReferenceType string // SIP_TRUNK, END_USER, ACCOUNT, SPECIALTY_LINE
	ReferenceName string
	TimeZone      string
}

// subscribersLocked lists the partition's on-net parties, in a stable order.
// Until accounts and numbers exist in the store they are fictional: NPA-555-
// 0100..0149 in the partition's area code, owned by no account. When the
// account tree lands, this is the one place to read its users, trunks and
// numbers from.
func (s *Store) subscribersLocked(p *Partition) []subscriber {
	npa := partitionNPA(p)
	out := make([]subscriber, 50)
	for i := range out {
		out[i] = subscriber{Number: fmt.Sprintf("1%s55501%02d", npa, i)}
	}
	return out
}

// party is one end of a generated call.
type party struct {
	number   string
	category string
	carrier  string
	rc       rateCenter // empty npa: no rate center (toll free, international)
	service  string     // serviceType when this is the far end of an outbound call
	rate     float64    // per minute when dialled off plan
	rateType string
	sub      *subscriber // on-net parties only
}

const (
	carrierOnNet  = "ALIANZA"
	carrierOffNet = "FakeCarrier_ELS"
	// billingIncrement is the fictional plan's rounding: whole minutes, up.
	billingIncrement = 60
	// fictionalPlanRate is the per-minute rate of off-plan calls.
	fictionalPlanRate = 0.02
)

// cdrGenerator makes the calls of one partition-hour.
type cdrGenerator struct {
	r    *rand.Rand
	p    *Partition
	home rateCenter
	subs []subscriber
}

func (g *cdrGenerator) onNet() party {
	sub := &g.subs[g.r.IntN(len(g.subs))]
	return party{number: sub.Number, category: CategoryOnNet, carrier: carrierOnNet, rc: g.home, service: "INTRASTATE",
		rateType: "IntraPartitionFree", sub: sub}
}

func (g *cdrGenerator) offNet() party {
	switch x := g.r.IntN(100); {
	case x < 6:
		return party{number: fmt.Sprintf("1800555%04d", 100+g.r.IntN(100)), category: CategoryOffNet, carrier: carrierOffNet,
			service: "TOLL_FREE", rateType: "TollFree"}
	case x < 10:
		return party{number: fmt.Sprintf("011442079460%03d", g.r.IntN(1000)), category: CategoryOffNet, carrier: carrierOffNet,
			service: "INTERNATIONAL", rate: 0.15, rateType: "OffPlanRated"}
	default:
		rc := rateCenters[g.r.IntN(len(rateCenters))]
		p := party{number: fmt.Sprintf("1%s55501%02d", rc.npa, 50+g.r.IntN(50)), category: CategoryOffNet, carrier: carrierOffNet,
			rc: rc, service: "INTERSTATE", rateType: "OnPlanMinutes"}
		if rc.state == g.home.state {
			p.service, p.rateType = "INTRASTATE", "Local"
		}
		if g.r.IntN(10) == 0 {
			p.rate, p.rateType = fictionalPlanRate, "OffPlanRated"
		}
		return p
	}
}

// callsThisHour draws how many calls an hour has: busier in US business
// hours (14:00-23:00 UTC).
func (g *cdrGenerator) callsThisHour(hour time.Time) int {
	h := hour.UTC().Hour()
	switch {
	case h >= 14 && h < 23:
		return 8 + g.r.IntN(17)
	case h >= 11 || h == 23:
		return 2 + g.r.IntN(7)
	default:
		return g.r.IntN(3)
	}
}

// generateHour makes the generated calls of one partition-hour, sorted by
// start time. n < 0 draws the count. A partition without subscribers has no
// calls.
func generateHour(seed uint64, p *Partition, subs []subscriber, hour time.Time, n int) []CallDetailRecord {
	if len(subs) == 0 {
		return nil
	}
	g := &cdrGenerator{r: hourSource(seed, p.ID, hour), p: p, subs: subs}
	g.home = rateCenterOf(partitionNPA(p))
	if n < 0 {
		n = g.callsThisHour(hour)
	}
	out := make([]CallDetailRecord, 0, n)
	for range n {
		out = append(out, g.call(hour))
	}
	sortByStart(out)
	return out
}

func sortByStart(recs []CallDetailRecord) {
	slices.SortStableFunc(recs, func(a, b CallDetailRecord) int {
		if c := a.StartTime.Compare(b.StartTime.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// call makes one consistent record: connectTime only when someone answered,
// billed seconds rounded up to the plan's increment, cost = rate * billed
// minutes, legType matching callType.
func (g *cdrGenerator) call(hour time.Time) CallDetailRecord {
	r := g.r
	hourEnd := hour.Add(time.Hour)
	start := hour.Add(time.Duration(r.IntN(3_600_000)) * time.Millisecond)
	rec := CallDetailRecord{ID: randomUUID(r), PartitionID: g.p.ID, SessionID: randomUUID(r), MediaServerType: "ALIANZA"}

	inbound := r.IntN(2) == 0
	local, far := g.onNet(), party{}
	if r.IntN(5) == 0 {
		far = g.onNet()
	} else {
		far = g.offNet()
	}
	if inbound && far.service == "INTERNATIONAL" {
		far = g.offNet()
	}

	var flag string
	switch x := r.IntN(100); {
	case x < 70:
		flag = FlagAnswered
	case x < 82:
		flag = FlagMissed
	case x < 90:
		flag = FlagVoicemail
	case x < 94:
		flag = FlagBusy
	default:
		flag = FlagForwarded
	}
	if !inbound && (flag == FlagVoicemail || flag == FlagForwarded) {
		flag = FlagAnswered // voicemail and forwarding happen to calls coming in
	}
	rec.CallFlagType = flag

	ring := time.Duration(2000+r.IntN(23000)) * time.Millisecond
	var talk time.Duration
	answered := flag == FlagAnswered || flag == FlagVoicemail || flag == FlagForwarded
	switch flag {
	case FlagAnswered, FlagForwarded:
		talk = time.Duration(math.Min(r.ExpFloat64()*180_000, 7_200_000)+1000) * time.Millisecond
		rec.DisconnectType = []string{"HangUp", "HangUpOther"}[r.IntN(2)]
	case FlagVoicemail:
		talk = time.Duration(5000+r.IntN(85_000)) * time.Millisecond
		rec.DisconnectType = "HangUp"
	case FlagMissed:
		rec.DisconnectType = []string{"NoAnswer", "Cancelled"}[r.IntN(2)]
	case FlagBusy:
		ring = time.Duration(500+r.IntN(1500)) * time.Millisecond
		rec.DisconnectType = "Busy"
	}
	// A call ends inside its hour, so each file holds only finished calls.
	if end := start.Add(ring + talk); !end.Before(hourEnd) {
		over := end.Sub(hourEnd) + time.Millisecond
		if talk > over {
			talk -= over
		} else {
			start = hourEnd.Add(-(ring + talk + time.Millisecond))
		}
	}
	end := start.Add(ring + talk)
	rec.StartTime, rec.EndTime = At(start), At(end)
	rec.CreatedDate = At(end.Add(time.Duration(200+r.IntN(1800)) * time.Millisecond))

	actual := int64(0)
	if answered {
		rec.ConnectTime = At(start.Add(ring))
		actual = int64(math.Round(talk.Seconds()))
	}
	billed := int64(0)
	if actual > 0 {
		billed = (actual + billingIncrement - 1) / billingIncrement * billingIncrement
	}
	rec.ActualCallLengthSeconds, rec.BillCallLengthSeconds = new(actual), new(billed)

	orig, term := far, local
	if inbound {
		rec.CallType, rec.LegType = CallInbound, LegTermination
		rec.RateType, rec.ServiceType = "Free", far.service
		if far.service == "TOLL_FREE" {
			rec.ServiceType = "NOT_APPLICABLE"
		}
		rec.RatePerMinute, rec.InPlan = new(0.0), new(true)
	} else {
		orig, term = local, far
		rec.CallType, rec.LegType = CallOutbound, LegOrigination
		rec.DialedNumber = far.number
		if strings.HasPrefix(far.number, "1") && far.rc.npa == g.home.npa {
			rec.DialedNumber = far.number[1:]
		}
		rec.RateType, rec.ServiceType = far.rateType, far.service
		rec.RatePerMinute, rec.InPlan = new(far.rate), new(far.rate == 0)
		rec.IdentityAttestLevel = "A"
		rec.RateLocalFromNumber = local.number
	}
	rec.Cost = new(math.Round(*rec.RatePerMinute*float64(billed)/60*10000) / 10000)
	rec.Local = new(orig.rc.npa != "" && orig.rc.state == term.rc.state)
	if flag == FlagForwarded {
		rec.LegType = LegForward
		fwd := g.offNet()
		for fwd.rc.npa == "" {
			fwd = g.offNet()
		}
		rec.ForwardingNumber = fwd.number
		rec.ForwardingNumberCityName, rec.ForwardingNumberState = fwd.rc.city, fwd.rc.state
		rec.ForwardingNumberAbbrRCName, rec.ForwardingNumberCountry = fwd.rc.abbr(), "US"
		rec.ForwardingNumberLocation = fwd.rc.city + ", " + fwd.rc.state
	}
	setParty(&rec.OrigNumber, &rec.OrigLocation, &rec.OrigCityName, &rec.OrigAbbrRCName, &rec.OrigState, &rec.OrigCountry, &rec.OrigCarrier, &rec.OrigCallCategory, orig)
	setParty(&rec.TermNumber, &rec.TermLocation, &rec.TermCityName, &rec.TermAbbrRCName, &rec.TermState, &rec.TermCountry, &rec.TermCarrier, &rec.TermCallCategory, term)
	rec.AccountBillableNumber = local.number
	rec.AccountBillableCityName, rec.AccountBillableState = local.rc.city, local.rc.state
	rec.AccountBillableAbbrRCName, rec.AccountBillableCountry = local.rc.abbr(), "US"
	rec.AccountBillableLocation = local.rc.city + ", " + local.rc.state
	rec.PartitionBillingCode = g.p.BillingCode
	if sub := local.sub; sub != nil {
		rec.AcctID, rec.AccountNumber, rec.AccountTimeZone = sub.AcctID, sub.AccountNumber, sub.TimeZone
		rec.ReferenceID, rec.ReferenceType, rec.ReferenceName = sub.ReferenceID, sub.ReferenceType, sub.ReferenceName
	}

	rec.SipCallIDs = []string{randomUUID(r) + "@sbc.fake", randomUUID(r) + "@ms.fake"}
	if answered {
		scores := map[string]float64{}
		sum := 0.0
		for _, id := range rec.SipCallIDs {
			s := math.Round((3.6+r.Float64()*0.8)*100) / 100
			scores[id] = s
			sum += s
		}
		rec.MeanOpinionScores = scores
		rec.MeanOpinionScoreAverage = new(math.Round(sum/float64(len(scores))*100) / 100)
	}
	return rec
}

func setParty(number, location, city, abbr, state, country, carrier, category *string, p party) {
	*number, *carrier, *category = p.number, p.carrier, p.category
	if p.rc.npa == "" {
		return
	}
	*city, *state, *abbr, *country = p.rc.city, p.rc.state, p.rc.abbr(), "US"
	*location = p.rc.city + ", " + p.rc.state
}
