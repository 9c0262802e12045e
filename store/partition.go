package store

import "slices"

// Partition is a service provider's slice of the platform (PartitionX).
type Partition struct {
	ID                                 string   `json:"id"`
	Name                               string   `json:"name"`
	Status                             string   `json:"status,omitempty"`
	CustomerServiceNumber              string   `json:"customerServiceNumber,omitempty"`
	ParentID                           string   `json:"parentId,omitempty"`
	BillingCode                        string   `json:"billingCode,omitempty"`
	Country                            string   `json:"country,omitempty"`
	LanguageTag                        string   `json:"languageTag,omitempty"`
	SubPartitionIDs                    []string `json:"subPartitionIds,omitempty"`
	UseOwnCarrier                      bool     `json:"useOwnCarrier"`
	TnDeleteCooldownDays               int      `json:"tnDeleteCooldownDays,omitempty"`
	DefaultTimeZone                    string   `json:"defaultTimeZone,omitempty"`
	TempTnThreshold                    int      `json:"tempTnThreshold,omitempty"`
	DefaultSimpleDialingBehaviorType   string   `json:"defaultSimpleDialingBehaviorType,omitempty"`
	DefaultAdvancedDialingBehaviorType string   `json:"defaultAdvancedDialingBehaviorType,omitempty"`
	DefaultDirectoryListingType        string   `json:"defaultDirectoryListingType,omitempty"`
	PortPushDays                       int      `json:"portPushDays,omitempty"`
	AllowedDeviceTypes                 []string `json:"allowedDeviceTypes,omitempty"`
	DefaultHoldTimeoutSeconds          int      `json:"defaultHoldTimeoutSeconds,omitempty"`
	AllowLoginByAccountNumber          bool     `json:"allowLoginByAccountNumber"`
	RequiresDeviceInventory            bool     `json:"requiresDeviceInventory"`
	UsesTrammellE911Verification       bool     `json:"usesTrammellE911Verification"`
	ShowComplexListing                 bool     `json:"showComplexListing"`
	DefaultExtensionLength             int      `json:"defaultExtensionLength,omitempty"`
	AutoAssignCallerID                 bool     `json:"autoAssignCallerId"`
}

func (p *Partition) applyDefaults() {
	if p.Status == "" {
		p.Status = "ACTIVE"
	}
	if p.Country == "" {
		p.Country = "USA"
	}
	if p.DefaultTimeZone == "" {
		p.DefaultTimeZone = "US/Mountain"
	}
	if p.DefaultHoldTimeoutSeconds == 0 {
		p.DefaultHoldTimeoutSeconds = 180
	}
	if p.DefaultExtensionLength == 0 {
		p.DefaultExtensionLength = 4
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
	return deepCopy(*p), nil
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
