package store

import (
	"cmp"
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
// The on-net parties are the partition's subscribers: the active numbers of
// its active accounts that are routed to an end user or a SIP trunk
// (referenceType END_USER, SIP_TRUNK or SPECIALTY_LINE, and business lines
// and their hunt groups, which bill to the account). The off-net parties are fictional:
// NPA-555-0150..0199 in the area codes of the table below (never a number
// the platform holds nor a partition's customer-service number), toll-free
// 1-800-555-0150..0199 (the same) and an international 011 number. A
// partition without subscribers has no generated calls (its files are
// header-only).
//
// Every party is placed where the store places its number (geo.go's one
// source): the rate center of its 1NPANXX prefix when the store has one,
// else the table's entry for its area code.

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

// rateCenter is where a number is: its area code, city, state, the
// abbreviated rate center name (derived from the city when not given) and
// the country as CDRs write it (US when not given).
type rateCenter struct{ npa, city, state, abbrName, country string }

var rateCenters = []rateCenter{
	{npa: "202", city: "Washington", state: "DC"}, {npa: "212", city: "New York", state: "NY"},
	{npa: "303", city: "Denver", state: "CO"}, {npa: "305", city: "Miami", state: "FL"},
	{npa: "312", city: "Chicago", state: "IL"}, {npa: "404", city: "Atlanta", state: "GA"},
	{npa: "415", city: "San Francisco", state: "CA"}, {npa: "512", city: "Austin", state: "TX"},
	{npa: "617", city: "Boston", state: "MA"}, {npa: "702", city: "Las Vegas", state: "NV"},
	{npa: "801", city: "Salt Lake City", state: "UT"}, {npa: "919", city: "Raleigh", state: "NC"},
}

func rateCenterOf(npa string) rateCenter {
	for _, rc := range rateCenters {
		if rc.npa == npa {
			return rc
		}
	}
	return rateCenter{npa: npa, city: "Springfield", state: "IL"}
}

func (rc rateCenter) abbr() string {
	if rc.abbrName != "" {
		return rc.abbrName
	}
	s := strings.ToUpper(strings.ReplaceAll(rc.city, " ", ""))
	if len(s) > 10 {
		s = s[:10]
	}
	return s
}

func (rc rateCenter) countryCode() string { return cmp.Or(rc.country, "US") }

// numberRateCenter is where a number is: the store's rate center of its
// 1NPANXX prefix when there is one, else the table's entry for its area
// code. Lock held.
func (s *Store) numberRateCenter(tn string) rateCenter {
	if rc, ok := s.rateCenters[tn[:7]]; ok && rc.State != "" {
		city := cmp.Or(rc.Msa, rc.Name)
		city, _, _ = strings.Cut(city, ",")
		city, _, _ = strings.Cut(city, "-")
		country := "US"
		if countryOf(rc.Country) == "CAN" {
			country = "CA"
		}
		return rateCenter{npa: tn[1:4], city: city, state: rc.State, abbrName: cmp.Or(rc.AbbrName, rc.ReorderName), country: country}
	}
	return rateCenterOf(tn[1:4])
}

// subscriber is an on-net party of generated calls: a number of the
// partition and who it rings. Fields left empty stay out of the records.
type subscriber struct {
	Number          string
	AcctID          string
	AccountNumber   string
	CustomField     string // the account's customField
	ReferenceID     string
	ReferenceType   string // SIP_TRUNK, END_USER, ACCOUNT, SPECIALTY_LINE
	ReferenceName   string
	TimeZone        string
	BillingCycleDay int32
	PlanID          string
	PlanName        string
	UnlimitedLocal  bool // the plan rates same-state calls as Local
	IntraFree       bool // the plan rates calls inside the partition as free
	rc              rateCenter
}

// activeRoute: the number is on an account and in service.
func activeRoute(n *NumberRecord) bool {
	return n.Status == NumberOnAccount && n.OnAccount != nil && n.OnAccount.OperationalStatus == "ACTIVE"
}

// subscribersLocked lists the partition's on-net parties, by number: every
// active number on an active account of the partition that is routed to an
// end user, a SIP trunk, a specialty line, a business line or a business-line
// hunt group, with the account's fields and the calling plan of the
// reference (or, when it has none, of the account). Lock held.
func (s *Store) subscribersLocked(p *Partition) []subscriber {
	var out []subscriber
	for _, n := range s.numsByPartition[p.ID] {
		if !activeRoute(n) {
			continue
		}
		a, ok := s.accounts[n.OnAccount.AccountID]
		if !ok || a.Status != "ACTIVE" {
			continue
		}
		sub := subscriber{Number: n.PhoneNumber, AcctID: a.ID, AccountNumber: a.AccountNumber, CustomField: a.CustomField, TimeZone: a.TimeZone,
			BillingCycleDay: int32(a.BillingCycleDay), rc: s.numberRateCenter(n.PhoneNumber)}
		var plans []CallingPlan
		switch ref := n.OnAccount; ref.ReferenceType {
		case "END_USER":
			u, ok := s.endUsers[ref.ReferenceID]
			if !ok || u.AccountID != a.ID {
				continue
			}
			sub.ReferenceID, sub.ReferenceType = u.ID, ref.ReferenceType
			sub.ReferenceName = strings.TrimSpace(u.FirstName + " " + u.LastName)
			plans = u.CallingPlans
		case "SIP_TRUNK":
			t, ok := s.trunks[ref.ReferenceID]
			if !ok || t.AccountID != a.ID {
				continue
			}
			sub.ReferenceID, sub.ReferenceType, sub.ReferenceName = t.ID, ref.ReferenceType, t.TrunkName
			plans = t.CallingPlans
		case "SPECIALTY_LINE":
			l, ok := s.specialtyLines[ref.ReferenceID]
			if !ok || l.AccountID != a.ID {
				continue
			}
			sub.ReferenceID, sub.ReferenceType, sub.ReferenceName = l.ID, ref.ReferenceType, l.Name
			plans = l.CallingPlans
		case "BUSINESS_LINE", "BUSINESS_LINE_HUNT_GROUP":
			// A CDR's reference is a trunk, a user, a specialty line or the
			// account: business lines and their groups bill to the account.
			if !s.routeTargetExists(a.ID, ref.ReferenceType, ref.ReferenceID) {
				continue
			}
			sub.ReferenceID, sub.ReferenceType, sub.ReferenceName = a.ID, "ACCOUNT", a.AccountName
		default:
			continue
		}
		s.attachPlan(&sub, plans, a.CallingPlans)
		out = append(out, sub)
	}
	slices.SortFunc(out, func(a, b subscriber) int { return strings.Compare(a.Number, b.Number) })
	return out
}

// attachPlan gives a subscriber the first calling plan of its reference, or
// of its account when the reference has none. Lock held.
func (s *Store) attachPlan(sub *subscriber, lists ...[]CallingPlan) {
	for _, plans := range lists {
		for _, cp := range plans {
			if prod, ok := s.planProducts[cp.CallingPlanProductID]; ok {
				sub.PlanID, sub.PlanName = prod.ID, prod.Name
				sub.UnlimitedLocal, sub.IntraFree = prod.AllowUnlimitedLocal, prod.RateIntraPartitionAsFree
				return
			}
		}
	}
}

// party is one end of a generated call.
type party struct {
	number   string
	category string
	carrier  string
	rc       rateCenter  // empty npa: no rate center (toll free, international)
	service  string      // TOLL_FREE or INTERNATIONAL; empty: by the states
	sub      *subscriber // on-net parties only
}

const (
	carrierOnNet  = "ALIANZA"
	carrierOffNet = "FakeCarrier_ELS"
	// billingIncrement is the plans' rounding: whole minutes, up.
	billingIncrement = 60
	// offPlanRate is the per-minute rate of domestic calls made without a plan.
	offPlanRate = 0.02
	// internationalRate is the per-minute rate of international calls.
	internationalRate = 0.15
)

// cdrGenerator makes the calls of one partition-hour.
type cdrGenerator struct {
	r    *rand.Rand
	p    *Partition
	subs []subscriber
	geo  cdrGeo
}

// cdrGeo is what the generator asks the store about numbers; the zero
// value knows nothing (every number free, placed by the table).
type cdrGeo struct {
	taken func(tn string) bool       // numbers the platform uses (never off-net)
	place func(tn string) rateCenter // where a number is
}

func (c cdrGeo) isTaken(tn string) bool { return c.taken != nil && c.taken(tn) }

func (c cdrGeo) placeOf(tn string) rateCenter {
	if c.place != nil {
		return c.place(tn)
	}
	return rateCenterOf(tn[1:4])
}

func (g *cdrGenerator) onNet() party {
	return g.partyOf(&g.subs[g.r.IntN(len(g.subs))])
}

func (g *cdrGenerator) partyOf(sub *subscriber) party {
	return party{number: sub.Number, category: CategoryOnNet, carrier: carrierOnNet, rc: sub.rc, sub: sub}
}

// otherOnNet is a subscriber other than the one given (there are at least two).
func (g *cdrGenerator) otherOnNet(not *subscriber) party {
	i, j := g.r.IntN(len(g.subs)-1), slices.IndexFunc(g.subs, func(s subscriber) bool { return s.Number == not.Number })
	if i >= j {
		i++
	}
	return g.partyOf(&g.subs[i])
}

func (g *cdrGenerator) offNet() party {
	switch x := g.r.IntN(100); {
	case x < 6:
		return g.tollFree()
	case x < 10:
		return g.international()
	default:
		return g.domesticOffNet()
	}
}

// domesticOffNet is a fictional NPA-555-0150..0199 number the platform does
// not use: a drawn one, else the next free one after it (in the next area
// codes of the table when its own are all taken), placed where the store
// places it. With every one taken there is none: a toll-free number.
func (g *cdrGenerator) domesticOffNet() party {
	a, k := g.r.IntN(len(rateCenters)), g.r.IntN(50)
	for i := range len(rateCenters) * 50 {
		n := fmt.Sprintf("1%s55501%02d", rateCenters[(a+(k+i)/50)%len(rateCenters)].npa, 50+(k+i)%50)
		if !g.geo.isTaken(n) {
			return party{number: n, category: CategoryOffNet, carrier: carrierOffNet, rc: g.geo.placeOf(n)}
		}
	}
	return g.tollFree()
}

// tollFree is a 1-800-555-0150..0199 number the platform does not use (the
// drawn one or the next free one); with every one taken, an international
// number.
func (g *cdrGenerator) tollFree() party {
	k := g.r.IntN(50)
	for i := range 50 {
		if n := fmt.Sprintf("18005550%03d", 150+(k+i)%50); !g.geo.isTaken(n) {
			return party{number: n, category: CategoryOffNet, carrier: carrierOffNet, service: "TOLL_FREE"}
		}
	}
	return g.international()
}

func (g *cdrGenerator) international() party {
	return party{number: fmt.Sprintf("011442079460%03d", g.r.IntN(1000)), category: CategoryOffNet, carrier: carrierOffNet,
		service: "INTERNATIONAL"}
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
// start time. n < 0 draws the count of calls; an on-net call between two
// subscribers gives two records (one leg each). A partition without
// subscribers has no calls. geo tells the numbers an off-net party must not
// have and where numbers are.
func generateHour(seed uint64, p *Partition, subs []subscriber, geo cdrGeo, hour time.Time, n int) []CallDetailRecord {
	if len(subs) == 0 {
		return nil
	}
	g := &cdrGenerator{r: hourSource(seed, p.ID, hour), p: p, subs: subs, geo: geo}
	if n < 0 {
		n = g.callsThisHour(hour)
	}
	out := make([]CallDetailRecord, 0, n)
	for range n {
		out = append(out, g.call(hour)...)
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

// drawnCall is what both legs of one call share.
type drawnCall struct {
	caller, callee party
	flag           string // as the callee's leg sees it
	disconnect     string
	start, end     time.Time
	connect        *Timestamp // nil: nobody answered
	created        time.Time
	actual, billed int64
	session        string
	forward        party
	sipCallIDs     []string
	mos            map[string]float64
	mosAverage     *float64
}

// call draws one call and returns its records: the leg of the subscriber it
// is drawn for and, for a call between two subscribers, the other's leg.
func (g *cdrGenerator) call(hour time.Time) []CallDetailRecord {
	r := g.r
	hourEnd := hour.Add(time.Hour)
	start := hour.Add(time.Duration(r.IntN(3_600_000)) * time.Millisecond)
	id, session := randomUUID(r), randomUUID(r)

	inbound := r.IntN(2) == 0
	local, far := g.onNet(), party{}
	if len(g.subs) > 1 && r.IntN(5) == 0 {
		far = g.otherOnNet(local.sub)
	} else {
		far = g.offNet()
	}
	if inbound && far.service == "INTERNATIONAL" {
		far = g.domesticOffNet()
	}
	c := drawnCall{caller: local, callee: far, session: session}
	if inbound {
		c.caller, c.callee = far, local
	}

	switch x := r.IntN(100); {
	case x < 70:
		c.flag = FlagAnswered
	case x < 82:
		c.flag = FlagMissed
	case x < 90:
		c.flag = FlagVoicemail
	case x < 94:
		c.flag = FlagBusy
	default:
		c.flag = FlagForwarded
	}
	switch {
	case c.callee.sub == nil && (c.flag == FlagVoicemail || c.flag == FlagForwarded):
		c.flag = FlagAnswered // voicemail and forwarding belong to a subscriber's incoming calls
	case c.flag == FlagVoicemail && (c.callee.sub.ReferenceType == "SIP_TRUNK" || c.callee.sub.ReferenceType == "SPECIALTY_LINE"):
		c.flag = FlagMissed // a trunk or a specialty line has no voicemail box: nobody answered
	}

	ring := time.Duration(2000+r.IntN(23000)) * time.Millisecond
	var talk time.Duration
	answered := c.flag == FlagAnswered || c.flag == FlagVoicemail || c.flag == FlagForwarded
	switch c.flag {
	case FlagAnswered, FlagForwarded:
		talk = time.Duration(math.Min(r.ExpFloat64()*180_000, 7_200_000)+1000) * time.Millisecond
		c.disconnect = []string{"HangUp", "HangUpOther"}[r.IntN(2)]
	case FlagVoicemail:
		talk = time.Duration(5000+r.IntN(85_000)) * time.Millisecond
		c.disconnect = "HangUp"
	case FlagMissed:
		c.disconnect = []string{"NoAnswer", "Cancelled"}[r.IntN(2)]
	case FlagBusy:
		ring = time.Duration(500+r.IntN(1500)) * time.Millisecond
		c.disconnect = "Busy"
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
	c.start, c.end = start, start.Add(ring+talk)
	c.created = c.end.Add(time.Duration(200+r.IntN(1800)) * time.Millisecond)
	if answered {
		c.connect = At(start.Add(ring))
		c.actual = int64(math.Round(talk.Seconds()))
	}
	if c.actual > 0 {
		c.billed = (c.actual + billingIncrement - 1) / billingIncrement * billingIncrement
	}
	if c.flag == FlagForwarded {
		c.forward = g.domesticOffNet()
	}
	c.sipCallIDs = []string{randomUUID(r) + "@sbc.fake", randomUUID(r) + "@ms.fake"}
	if answered {
		c.mos = map[string]float64{}
		sum := 0.0
		for _, sid := range c.sipCallIDs {
			v := math.Round((3.6+r.Float64()*0.8)*100) / 100
			c.mos[sid] = v
			sum += v
		}
		c.mosAverage = new(math.Round(sum/float64(len(c.mos))*100) / 100)
	}

	out := []CallDetailRecord{g.leg(&c, id, local.sub == c.caller.sub)}
	if far.sub != nil {
		out = append(out, g.leg(&c, randomUUID(r), far.sub == c.caller.sub))
	}
	return out
}

// leg is one subscriber's record of a call: the caller's Origination leg
// (OUTBOUND, rated by its plan) or the callee's Termination leg (INBOUND,
// Free, or SipTrunkInbound on a trunk). billed seconds are the plan's rounding of the talk time and cost =
// ratePerMinute * billed minutes.
func (g *cdrGenerator) leg(c *drawnCall, id string, atCaller bool) CallDetailRecord {
	orig, term := c.caller, c.callee
	at, other := term, orig
	if atCaller {
		at, other = orig, term
	}
	rec := CallDetailRecord{
		ID: id, PartitionID: g.p.ID, SessionID: c.session, MediaServerType: "ALIANZA",
		StartTime: At(c.start), ConnectTime: c.connect, EndTime: At(c.end), CreatedDate: At(c.created),
		ActualCallLengthSeconds: new(c.actual), BillCallLengthSeconds: new(c.billed),
		CallFlagType: c.flag, DisconnectType: c.disconnect,
		SipCallIDs:           slices.Clone(c.sipCallIDs),
		PartitionBillingCode: g.p.BillingCode,
	}
	if c.mos != nil {
		rec.MeanOpinionScores = make(map[string]float64, len(c.mos))
		for k, v := range c.mos {
			rec.MeanOpinionScores[k] = v
		}
	}
	if c.mosAverage != nil {
		rec.MeanOpinionScoreAverage = new(*c.mosAverage)
	}
	sameState := orig.rc.npa != "" && term.rc.npa != "" && orig.rc.state == term.rc.state
	service := cmp.Or(other.service, "INTERSTATE")
	if other.service == "" && sameState {
		service = "INTRASTATE"
	}
	rate := 0.0
	if atCaller {
		rec.CallType, rec.LegType = CallOutbound, LegOrigination
		if c.flag == FlagVoicemail || c.flag == FlagForwarded {
			rec.CallFlagType = FlagAnswered // the caller's side of it was answered
		}
		rec.DialedNumber = other.number
		if strings.HasPrefix(other.number, "1") && other.rc.npa == at.rc.npa {
			rec.DialedNumber = other.number[1:]
		}
		rec.IdentityAttestLevel = "A"
		rec.RateLocalFromNumber = at.number
		rec.RateType, rate = g.rate(at.sub, other, sameState)
	} else {
		rec.CallType, rec.LegType = CallInbound, LegTermination
		rec.RateType = "Free"
		if at.sub.ReferenceType == "SIP_TRUNK" {
			rec.RateType = "SipTrunkInbound"
		}
		if service == "TOLL_FREE" {
			service = "NOT_APPLICABLE"
		}
		if c.flag == FlagForwarded {
			fwd := c.forward
			rec.ForwardingNumber = fwd.number
			rec.ForwardingNumberCityName, rec.ForwardingNumberState = fwd.rc.city, fwd.rc.state
			rec.ForwardingNumberAbbrRCName, rec.ForwardingNumberCountry = fwd.rc.abbr(), fwd.rc.countryCode()
			rec.ForwardingNumberLocation = fwd.rc.city + ", " + fwd.rc.state
		}
	}
	rec.ServiceType = service
	rec.RatePerMinute, rec.InPlan = new(rate), new(rate == 0)
	rec.Cost = new(math.Round(rate*float64(c.billed)/60*10000) / 10000)
	rec.Local = new(sameState)
	setParty(&rec.OrigNumber, &rec.OrigLocation, &rec.OrigCityName, &rec.OrigAbbrRCName, &rec.OrigState, &rec.OrigCountry, &rec.OrigCarrier, &rec.OrigCallCategory, orig)
	setParty(&rec.TermNumber, &rec.TermLocation, &rec.TermCityName, &rec.TermAbbrRCName, &rec.TermState, &rec.TermCountry, &rec.TermCarrier, &rec.TermCallCategory, term)
	rec.AccountBillableNumber = at.number
	rec.AccountBillableCityName, rec.AccountBillableState = at.rc.city, at.rc.state
	rec.AccountBillableAbbrRCName, rec.AccountBillableCountry = at.rc.abbr(), at.rc.countryCode()
	rec.AccountBillableLocation = at.rc.city + ", " + at.rc.state
	sub := at.sub
	rec.AcctID, rec.AccountNumber, rec.AccountTimeZone = sub.AcctID, sub.AccountNumber, sub.TimeZone
	rec.AccountCustomField = sub.CustomField
	rec.ReferenceID, rec.ReferenceType, rec.ReferenceName = sub.ReferenceID, sub.ReferenceType, sub.ReferenceName
	rec.CallingPlanProductID, rec.CallingPlanProductName = sub.PlanID, sub.PlanName
	if sub.BillingCycleDay > 0 {
		rec.AccountBillingCycleDay = new(sub.BillingCycleDay)
	}
	return rec
}

// rate is how a subscriber's plan rates a call it makes: inside the
// partition IntraPartitionFree when the plan says so, toll free TollFree,
// international OffPlanRated; other domestic calls are Local (a plan with
// unlimited local calling, same state) or OnPlanMinutes, all at no charge;
// without a plan, domestic calls are OffPlanRated.
func (g *cdrGenerator) rate(sub *subscriber, callee party, sameState bool) (string, float64) {
	planned := sub.PlanID != ""
	switch {
	case callee.service == "TOLL_FREE":
		return "TollFree", 0
	case callee.service == "INTERNATIONAL":
		return "OffPlanRated", internationalRate
	case !planned:
		return "OffPlanRated", offPlanRate
	case callee.sub != nil && sub.IntraFree:
		return "IntraPartitionFree", 0
	case sameState && sub.UnlimitedLocal:
		return "Local", 0
	}
	return "OnPlanMinutes", 0
}

func setParty(number, location, city, abbr, state, country, carrier, category *string, p party) {
	*number, *carrier, *category = p.number, p.carrier, p.category
	if p.rc.npa == "" {
		return
	}
	*city, *state, *abbr, *country = p.rc.city, p.rc.state, p.rc.abbr(), p.rc.countryCode()
	*location = p.rc.city + ", " + p.rc.state
}
