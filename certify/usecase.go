package certify

import (
	"strings"
)

// Use cases an integration can claim, as Alianza's certification groups
// them, and the two the report adds on its own.
const (
	UseCaseAccounts = "account-lifecycle"
	UseCaseUsers    = "end-users"
	UseCaseDevices  = "device-lines"
	UseCaseNumbers  = "numbers-activation"
	UseCasePorting  = "porting"
	UseCaseTrunks   = "sip-trunks"
	UseCaseVoice    = "voicemail"
	UseCaseCDR      = "cdr-retrieval"
	UseCaseReports  = "reports-jobs"
	UseCaseAuth     = "authentication" // not claimable: every integration logs in
	UseCaseOther    = "other"          // not claimable: reference data, unmatched paths
)

var useCaseOrder = []string{
	UseCaseAccounts, UseCaseUsers, UseCaseDevices, UseCaseNumbers, UseCasePorting,
	UseCaseTrunks, UseCaseVoice, UseCaseCDR, UseCaseReports, UseCaseAuth, UseCaseOther,
}

var useCaseTitles = map[string]string{
	UseCaseAccounts: "Account lifecycle",
	UseCaseUsers:    "End users",
	UseCaseDevices:  "Device lines",
	UseCaseNumbers:  "Numbers and activation",
	UseCasePorting:  "Porting",
	UseCaseTrunks:   "SIP trunks",
	UseCaseVoice:    "Voicemail",
	UseCaseCDR:      "CDR retrieval (SFTP datafeed and cdrsearch)",
	UseCaseReports:  "Reports and jobs",
	UseCaseAuth:     "Authentication",
	UseCaseOther:    "Other calls",
}

func claimable(u string) bool { return u != UseCaseAuth && u != UseCaseOther }

// UseCaseNames lists the use cases a session can claim.
func UseCaseNames() []string {
	var out []string
	for _, u := range useCaseOrder {
		if claimable(u) {
			out = append(out, u)
		}
	}
	return out
}

// useCaseRules map a path segment to its use case; the first rule whose
// segment appears in the path template (or, unmatched, the path) wins, so
// the more specific ones come first.
var useCaseRules = []struct {
	segment, useCase string
}{
	{"authorize", UseCaseAuth},
	{"cdrsearch", UseCaseCDR},
	{"report", UseCaseReports},
	{"job", UseCaseReports},
	{"voicemailbox", UseCaseVoice},
	{"voicemailmessage", UseCaseVoice},
	{"voicemail", UseCaseVoice},
	{"unlockvm", UseCaseVoice},
	{"siptrunk", UseCaseTrunks},
	{"siptrunk_2", UseCaseTrunks},
	{"siptrunkgroup", UseCaseTrunks},
	{"port", UseCasePorting},
	{"deviceline", UseCaseDevices},
	{"device", UseCaseDevices},
	{"devicetype", UseCaseDevices},
	{"telephonenumber", UseCaseNumbers},
	{"ratecenter", UseCaseNumbers},
	{"reference", UseCaseNumbers},
	{"address", UseCaseNumbers},
	{"user", UseCaseUsers},
	{"accountuser", UseCaseUsers},
	{"account", UseCaseAccounts},
	{"callingplan", UseCaseAccounts},
	{"callingplanproduct", UseCaseAccounts},
}

// classify names an exchange's use case from its path template (its path
// when no operation matched).
func classify(template, path string) string {
	p := template
	if p == "" {
		p = path
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	// The account-level prevalidation is the port check; a PORT_REQUEST
	// reference is porting too.
	if strings.HasSuffix(p, "/account/prevalidate") || strings.Contains(path, "/type/PORT") {
		return UseCasePorting
	}
	for _, r := range useCaseRules {
		for _, s := range segs {
			if s == r.segment {
				return r.useCase
			}
		}
	}
	return UseCaseOther
}

// isItem reports whether a template names one object (ends in a parameter).
func isItem(template string) bool { return strings.HasSuffix(template, "}") }
