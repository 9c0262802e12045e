package certify

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fakealianza/fakealianza/scenarios"
)

// Probe names.
const (
	ProbeExpiredToken = "expired-token" // 401 ExpiredAuthToken
	ProbeServerError  = "server-error"  // 500
	ProbeUnavailable  = "unavailable"   // 503 with Retry-After
	ProbeSlow         = "slow"          // an answer held past a client timeout
	ProbeValidation   = "validation"    // 400 with a validation code
	ProbeVanished     = "vanished"      // 404 EntityNotFound for an object read before
	ProbeLateFile     = "late-file"     // the datafeed's files appear late
)

// faultPrefix starts the journal's fault field of a probe's exchange:
// "certify/<probe>:<action>".
const faultPrefix = "certify/"

// settleAfter is how long after its exchange a probe stops holding the
// next one back when the client neither repeated it nor moved on.
const settleAfter = 5 * time.Second

// probeDef is one probe: which call it answers and how.
type probeDef struct {
	name, title string
	sftp        bool
	target      func(s *session, in *scenarios.Input) bool
	action      func(s *session, in *scenarios.Input) scenarios.Decision
}

func status(code int, message string) scenarios.Action {
	a := scenarios.Action{Status: code}
	if message != "" {
		a.Message = &message
	}
	return a
}

var probes = map[string]*probeDef{
	ProbeExpiredToken: {
		name: ProbeExpiredToken, title: "Expired token (401 ExpiredAuthToken)",
		target: func(_ *session, in *scenarios.Input) bool { return withToken(in) },
		action: func(*session, *scenarios.Input) scenarios.Decision {
			return scenarios.Decision{Action: status(http.StatusUnauthorized, "ExpiredAuthToken")}
		},
	},
	ProbeServerError: {
		name: ProbeServerError, title: "Server error (500)",
		target: func(_ *session, in *scenarios.Input) bool { return withToken(in) && in.Method == http.MethodGet },
		action: func(*session, *scenarios.Input) scenarios.Decision {
			return scenarios.Decision{Action: status(http.StatusInternalServerError, "")}
		},
	},
	ProbeUnavailable: {
		name: ProbeUnavailable, title: "Service unavailable (503 with Retry-After)",
		target: func(_ *session, in *scenarios.Input) bool { return withToken(in) && in.Method == http.MethodGet },
		action: func(s *session, _ *scenarios.Input) scenarios.Decision {
			a := status(http.StatusServiceUnavailable, "")
			a.RetryAfter = strconv.Itoa(s.cfg.RetryAfterSeconds)
			return scenarios.Decision{Action: a}
		},
	},
	ProbeSlow: {
		name: ProbeSlow, title: "Slow answer (held past a client timeout)",
		target: func(_ *session, in *scenarios.Input) bool { return withToken(in) && in.Method == http.MethodGet },
		action: func(s *session, _ *scenarios.Input) scenarios.Decision {
			d := time.Duration(s.cfg.SlowDelay)
			return scenarios.Decision{Action: scenarios.Action{Delay: &scenarios.Delay{Fixed: s.cfg.SlowDelay}}, Delay: d}
		},
	},
	ProbeValidation: {
		name: ProbeValidation, title: "Validation error (400 with a message code)",
		target: func(_ *session, in *scenarios.Input) bool {
			return withToken(in) && (in.Method == http.MethodPost || in.Method == http.MethodPut || in.Method == http.MethodPatch)
		},
		action: func(_ *session, in *scenarios.Input) scenarios.Decision {
			return scenarios.Decision{Action: status(http.StatusBadRequest, validationCode(in))}
		},
	},
	ProbeVanished: {
		name: ProbeVanished, title: "Vanished object (404 EntityNotFound for an object read before)",
		target: func(s *session, in *scenarios.Input) bool {
			return withToken(in) && in.Method == http.MethodGet && isItem(in.PathTemplate) && s.readItems[in.Path]
		},
		action: func(_ *session, in *scenarios.Input) scenarios.Decision {
			a := status(http.StatusNotFound, "EntityNotFound")
			a.Data, _ = json.Marshal(map[string]string{"type": entityType(in.PathTemplate), "id": in.Path[strings.LastIndexByte(in.Path, '/')+1:]})
			return scenarios.Decision{Action: a}
		},
	},
	ProbeLateFile: {
		name: ProbeLateFile, title: "Late datafeed file (SFTP listing empty at first)", sftp: true,
	},
}

// ProbeNames lists the probes in a fixed order.
func ProbeNames() []string {
	return []string{ProbeExpiredToken, ProbeServerError, ProbeUnavailable, ProbeSlow, ProbeValidation, ProbeVanished, ProbeLateFile}
}

// withToken: an API call made with a token (logins are never probed).
func withToken(in *scenarios.Input) bool {
	return in.Header.Get("X-Auth-Token") != "" && !strings.HasPrefix(in.Path, "/v2/authorize")
}

// validationCode is a code Alianza answers for the area's bad input.
func validationCode(in *scenarios.Input) string {
	switch classify(in.PathTemplate, in.Path) {
	case UseCaseAccounts:
		return "AccountNameRequired"
	case UseCaseUsers:
		return "InvalidLastName"
	case UseCaseDevices:
		return "InvalidMacAddress"
	}
	return scenarios.DefaultMessage(http.StatusBadRequest)
}

var entityTypes = map[string]string{
	"account": "Account", "user": "EndUser", "accountuser": "AccountUser", "deviceline": "DeviceLine",
	"device": "Device", "siptrunk": "SipTrunk", "siptrunk_2": "SipTrunk", "siptrunkgroup": "SipTrunkGroup",
	"voicemailbox": "VoicemailBox", "voicemailmessage": "VoicemailMessage", "telephonenumber": "TelephoneNumber",
	"port": "Port", "job": "Job", "callingplanproduct": "CallingPlanProduct",
}

// entityType names the object a template's last parameter stands for.
func entityType(template string) string {
	segs := strings.Split(strings.Trim(template, "/"), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if s := segs[i]; !strings.HasPrefix(s, "{") {
			if t, ok := entityTypes[s]; ok {
				return t
			}
			if s != "" {
				return strings.ToUpper(s[:1]) + s[1:]
			}
		}
	}
	return "Entity"
}

// probeState is a probe's progress in one session.
type probeState struct {
	def     *probeDef
	fired   bool
	firedAt time.Time
	key     string    // method and path of the call it answered
	until   time.Time // late-file: the files show again from then
	// Online bookkeeping that holds the next probe back until the client
	// has reacted to this one.
	seenAt   time.Time // its exchange was recorded
	repeated bool      // the client made the same call again
	others   int       // other calls since
}

func (p *probeState) settled(now time.Time) bool {
	return p.repeated || p.others >= 2 || (!p.seenAt.IsZero() && now.Sub(p.seenAt) > settleAfter)
}

func (p *probeState) label() string { return faultPrefix + p.def.name }

// probe picks the probe that answers in, if any: SFTP events go to the
// late-file probe; an API call gets the first probe in seeded order that
// has not fired and targets it, once the previous probe has settled and
// provided no earlier probe answered the same call.
func (s *session) probe(in *scenarios.Input, now time.Time) *scenarios.Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped.IsZero() {
		return nil
	}
	if in.SFTP != "" {
		return s.probeSFTP(in, now)
	}
	if s.cfg.PartitionID != "" && in.PartitionID != s.cfg.PartitionID && !s.tokens[hashToken(in.Header.Get("X-Auth-Token"))] {
		return nil
	}
	if s.lastHTTP != nil && !s.lastHTTP.settled(now) {
		return nil
	}
	key := in.Method + " " + in.Path
	for _, p := range s.probes {
		if p.fired && p.key == key {
			return nil
		}
	}
	for _, p := range s.probes {
		if p.fired || p.def.sftp || !p.def.target(s, in) {
			continue
		}
		p.fired, p.firedAt, p.key = true, now, key
		s.lastHTTP = p
		d := p.def.action(s, in)
		d.RuleID = p.label()
		return &d
	}
	return nil
}

// probeSFTP records a datafeed event and, from the first listing on,
// hides the files for LateFileDelay when the late-file probe runs.
func (s *session) probeSFTP(in *scenarios.Input, now time.Time) *scenarios.Decision {
	if in.SFTP == scenarios.SFTPConnect || (s.cfg.PartitionID != "" && in.PartitionID != s.cfg.PartitionID) {
		return nil
	}
	var late *probeState
	for _, p := range s.probes {
		if p.def.sftp {
			late = p
		}
	}
	hide := false
	if late != nil && (in.SFTP == scenarios.SFTPList || in.SFTP == scenarios.SFTPRead) {
		if !late.fired {
			late.fired, late.firedAt, late.key = true, now, "SFTP "+in.SFTP
			late.until = now.Add(time.Duration(s.cfg.LateFileDelay))
		}
		hide = now.Before(late.until)
	}
	if !hide {
		s.recordSFTP(in, now, "")
		return nil
	}
	s.recordSFTP(in, now, late.def.name)
	return &scenarios.Decision{RuleID: late.label(), Action: scenarios.Action{SFTP: scenarios.SFTPMissing}}
}

// noteForProbes tells the last HTTP probe about an exchange the client
// finished.
func (s *session) noteForProbes(e *exchange) {
	p := s.lastHTTP
	switch {
	case p == nil:
	case e.probe == p.def.name:
		p.seenAt = e.end
	case e.Method+" "+e.Path == p.key:
		p.repeated = true
	default:
		p.others++
	}
}
