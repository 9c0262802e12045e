package authfake

import (
	"sort"

	"github.com/fakealianza/fakealianza/store"
)

// LoginToken is LoginTokenX as a management user's login answers it: the
// observed keys in the observed order, null fields left out.
type LoginToken struct {
	AuthToken          string            `json:"authToken"`
	UserID             string            `json:"userId"`
	UserType           string            `json:"userType"`
	Username           string            `json:"username"`
	FirstName          string            `json:"firstName,omitempty"`
	LastName           string            `json:"lastName,omitempty"`
	EmailAddress       string            `json:"emailAddress,omitempty"`
	PartitionID        string            `json:"partitionId"`
	PartitionName      string            `json:"partitionName,omitempty"`
	Permissions        map[string]string `json:"permissions"`
	FeatureToggles     map[string]bool   `json:"featureToggles"`
	MustChangePassword bool              `json:"mustChangePassword"`
	SubPartitionIDs    []string          `json:"subPartitionIds"`
	GrantedAuthorities []string          `json:"grantedAuthorities"`
	MustAddEmail       bool              `json:"mustAddEmail"`
}

// featureToggles is a fixed, small set of toggle names seen on Alianza
// logins; the emulator does not act on them.
var featureToggles = map[string]bool{"EnableBYOTN": true, "MSTeams": false, "VipRing": true}

func (a *Auth) view(token string, u store.ManagementUser) (LoginToken, error) {
	p, err := a.store.Partition(u.PartitionID)
	if err != nil {
		return LoginToken{}, err
	}
	perms := map[string]string{}
	for k, v := range u.Permissions {
		perms[k] = v
	}
	toggles := make(map[string]bool, len(featureToggles))
	for k, v := range featureToggles {
		toggles[k] = v
	}
	subs := append([]string{}, p.SubPartitionIDs...)
	sort.Strings(subs)
	return LoginToken{
		AuthToken: token, UserID: u.ID, UserType: "ManagementUser", Username: u.Username,
		FirstName: u.FirstName, LastName: u.LastName, EmailAddress: u.EmailAddress,
		PartitionID: u.PartitionID, PartitionName: p.Name, Permissions: perms,
		FeatureToggles: toggles, MustChangePassword: u.MustChangePassword,
		SubPartitionIDs: subs, GrantedAuthorities: []string{}, MustAddEmail: u.EmailAddress == "",
	}, nil
}
