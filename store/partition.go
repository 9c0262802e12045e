package store

import (
	"cmp"
	"slices"
)

// Partition is a service provider's slice of the platform (PartitionX).
// The fields of the observed key set (ALIANZA.md 3.1) are always sent.
type Partition struct {
	ID                                 string   `json:"id"`
	Name                               string   `json:"name"`
	Status                             string   `json:"status"`
	CustomerServiceNumber              string   `json:"customerServiceNumber,omitempty"`
	ParentID                           string   `json:"parentId,omitempty"`
	BillingCode                        string   `json:"billingCode,omitempty"`
	Country                            string   `json:"country"`
	LanguageTag                        string   `json:"languageTag,omitempty"`
	SubPartitionIDs                    []string `json:"subPartitionIds,omitempty"`
	UseOwnCarrier                      bool     `json:"useOwnCarrier"`
	TnDeleteCooldownDays               int      `json:"tnDeleteCooldownDays,omitempty"`
	DefaultTimeZone                    string   `json:"defaultTimeZone"`
	TempTnThreshold                    int      `json:"tempTnThreshold"`
	DefaultSimpleDialingBehaviorType   string   `json:"defaultSimpleDialingBehaviorType"`
	DefaultAdvancedDialingBehaviorType string   `json:"defaultAdvancedDialingBehaviorType"`
	DefaultDirectoryListingType        string   `json:"defaultDirectoryListingType"`
	PortPushDays                       int      `json:"portPushDays"`
	AllowedDeviceTypes                 []string `json:"allowedDeviceTypes"`
	DefaultHoldTimeoutSeconds          int      `json:"defaultHoldTimeoutSeconds"`
	AllowLoginByAccountNumber          bool     `json:"allowLoginByAccountNumber"`
	RequiresDeviceInventory            bool     `json:"requiresDeviceInventory"`
	UsesTrammellE911Verification       bool     `json:"usesTrammellE911Verification"`
	ShowComplexListing                 bool     `json:"showComplexListing"`
	DefaultExtensionLength             int      `json:"defaultExtensionLength"`
	AutoAssignCallerID                 bool     `json:"autoAssignCallerId"`
}

func (p *Partition) applyDefaults() {
	p.Status = cmp.Or(p.Status, "ACTIVE")
	p.Country = cmp.Or(p.Country, "USA")
	p.DefaultTimeZone = cmp.Or(p.DefaultTimeZone, "US/Mountain")
	p.DefaultHoldTimeoutSeconds = cmp.Or(p.DefaultHoldTimeoutSeconds, 180)
	p.DefaultExtensionLength = cmp.Or(p.DefaultExtensionLength, 4)
	p.DefaultSimpleDialingBehaviorType = cmp.Or(p.DefaultSimpleDialingBehaviorType, "TEN_DIGIT")
	p.DefaultAdvancedDialingBehaviorType = cmp.Or(p.DefaultAdvancedDialingBehaviorType, "OPEN_DIAL_PLAN")
	p.DefaultDirectoryListingType = cmp.Or(p.DefaultDirectoryListingType, "NOT_LIST_NOT_PUBLISH")
	if p.AllowedDeviceTypes == nil {
		p.AllowedDeviceTypes = []string{}
	}
}

// Partition returns a copy of one partition.
func (s *Store) Partition(id string) (Partition, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.partitions[id]
	if !ok {
		return Partition{}, NotFound("Partition", id)
	}
	return p.clone(), nil
}

// clone copies a partition as deepCopy would (an empty omitempty list comes
// back nil), without going through JSON: the auth check reads one per request.
func (p *Partition) clone() Partition {
	out := *p
	out.SubPartitionIDs = nil
	if len(p.SubPartitionIDs) > 0 {
		out.SubPartitionIDs = slices.Clone(p.SubPartitionIDs)
	}
	out.AllowedDeviceTypes = slices.Clone(p.AllowedDeviceTypes)
	return out
}

// PartitionIDs lists every partition id, sorted.
func (s *Store) PartitionIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.partitions))
	for id := range s.partitions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// PartitionDefaultFields are the fields a new object takes from its
// partition when the request leaves them out (DefaultFor), as a new account
// does.
var PartitionDefaultFields = []string{"timeZone", "dialingBehaviorType", "directoryListingType", "holdTimeoutSeconds", "extensionLength"}

// DefaultFor is the partition's default for a new object's field (one of
// PartitionDefaultFields; "" or 0 where the partition has none): the
// dialing behaviour follows the object's account type.
func (p *Partition) DefaultFor(field, accountType string) any {
	switch field {
	case "timeZone":
		return p.DefaultTimeZone
	case "dialingBehaviorType":
		return p.dialingBehaviorFor(accountType)
	case "directoryListingType":
		return p.DefaultDirectoryListingType
	case "holdTimeoutSeconds":
		return int64(p.DefaultHoldTimeoutSeconds)
	case "extensionLength":
		return int64(p.DefaultExtensionLength)
	}
	return nil
}

// dialingBehaviorFor is the partition's dialing behaviour for a new object
// of an account type (SIMPLE or ADVANCED), OPEN_DIAL_PLAN when it sets none.
func (p *Partition) dialingBehaviorFor(accountType string) string {
	d := p.DefaultAdvancedDialingBehaviorType
	if accountType == "SIMPLE" {
		d = p.DefaultSimpleDialingBehaviorType
	}
	if d == "" {
		d = "OPEN_DIAL_PLAN"
	}
	return d
}
