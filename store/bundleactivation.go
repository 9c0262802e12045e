package store

// The deprecated one-call activations: POST P/account/activation sets up an
// account with an end user, a device line and a number (or a port) in one
// request, POST A/user/activation the same on an existing account. Each
// step follows the rules of its own create; the whole is one change: when
// a step is refused, what the earlier steps made is taken away again before
// the lock is released, and nothing is written in the account's history.

// ActivationBundle is AccountActivationV2X (EndUserActivationV2X has no
// account).
type ActivationBundle struct {
	Account                          *Account       `json:"account,omitempty"`
	User                             *EndUser       `json:"user,omitempty"`
	Device                           *Device        `json:"device,omitempty"`
	TelephoneNumberAccount           *AccountNumber `json:"telephoneNumberAccount,omitempty"`
	DynamicTelephoneNumberActivation map[string]any `json:"dynamicTelephoneNumberActivation,omitempty"`
	Port                             *Port          `json:"port,omitempty"`
	HoldActivation                   bool           `json:"holdActivation"`
}

// bundleMade is what an activation made, for its history or its undoing.
type bundleMade struct {
	user   *EndUser
	device *Device
	req    *Activation
}

// ActivateAccount creates an account and what the bundle brings with it.
// The account is required (400 AccountRequired).
func (s *Store) ActivateAccount(partitionID string, in ActivationBundle, by Actor) (ActivationBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Account == nil {
		return ActivationBundle{}, Invalid("AccountRequired")
	}
	a, err := s.createAccount(partitionID, *in.Account)
	if err != nil {
		return ActivationBundle{}, err
	}
	made, err := s.activateBundle(a, in, by)
	if err != nil {
		s.unindexAccount(a) // never seen: it holds nothing and has no history
		return ActivationBundle{}, err
	}
	s.logHistory(a, by, "CREATE", "ACCOUNT", "Account", a.ID, a.AccountName, nil, a)
	out := s.logBundle(a, made, in, by)
	acct := s.accountOut(a)
	out.Account = &acct
	return out, nil
}

// ActivateEndUser creates what the bundle brings on an existing account.
func (s *Store) ActivateEndUser(partitionID, accountID string, in ActivationBundle, by Actor) (ActivationBundle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return ActivationBundle{}, err
	}
	made, err := s.activateBundle(a, in, by)
	if err != nil {
		return ActivationBundle{}, err
	}
	out := s.logBundle(a, made, in, by)
	return out, nil
}

// activateBundle makes the user, the device line (its owner the new user
// unless it names one) and the number (routed to the new user unless it
// names a target), in that order; when one is refused the earlier ones go
// again. Lock held.
func (s *Store) activateBundle(a *Account, in ActivationBundle, by Actor) (bundleMade, error) {
	var made bundleMade
	undo := func(err error) (bundleMade, error) {
		if made.device != nil {
			s.removeDevice(made.device)
		}
		if made.user != nil {
			s.removeEndUser(made.user)
		}
		return bundleMade{}, err
	}
	if in.User != nil {
		u, err := s.createEndUser(a, *in.User)
		if err != nil {
			return undo(err)
		}
		made.user = u
	}
	if in.Device != nil {
		d := *in.Device
		if d.UserID == "" && made.user != nil {
			d.UserID = made.user.ID
		}
		dev, err := s.createDevice(a, d)
		if err != nil {
			return undo(err)
		}
		made.device = dev
	}
	if tn := in.TelephoneNumberAccount; tn != nil {
		b := BareNumber{PhoneNumber: tn.PhoneNumber, ReferenceType: tn.ReferenceType, ReferenceID: tn.ReferenceID,
			FunctionType: tn.FunctionType, CanAcceptSMS: tn.CanAcceptSMS, OperationalStatus: tn.OperationalStatus,
			ServicePackageType: tn.ServicePackageType, TollFree: tn.TollFree}
		if b.ReferenceType == "" && b.ReferenceID == "" && made.user != nil {
			b.ReferenceType, b.ReferenceID = "END_USER", made.user.ID
		}
		req := deepCopy(Activation{Port: in.Port, CustomerServiceRecord: tn.CustomerServiceRecord,
			DirectoryListing: tn.DirectoryListing, E911Address: tn.E911Address, HoldActivation: in.HoldActivation,
			TelephoneNumbers: []BareNumber{b}, ByotnCarrierID: tn.ByotnCarrierID})
		if err := s.checkActivation(a, &req, by); err != nil {
			return undo(err)
		}
		s.applyActivation(a, &req)
		made.req = &req
	}
	return made, nil
}

// logBundle writes what an activation made in the account's history and
// answers it with the fields the server filled. Lock held.
func (s *Store) logBundle(a *Account, made bundleMade, in ActivationBundle, by Actor) ActivationBundle {
	out := ActivationBundle{HoldActivation: in.HoldActivation, DynamicTelephoneNumberActivation: in.DynamicTelephoneNumberActivation}
	if u := made.user; u != nil {
		s.logHistory(a, by, "CREATE", "USER", "EndUser", u.ID, displayName(u.FirstName, u.LastName), nil, u)
		v := s.endUserOut(u)
		out.User = &v
	}
	if d := made.device; d != nil {
		s.logHistory(a, by, "CREATE", "DEVICE", "Device", d.ID, d.DeviceName, nil, d)
		v := deviceOut(d)
		out.Device = &v
	}
	if req := made.req; req != nil {
		s.logActivation(a, req, by)
		v := s.accountNumberOut(s.numbers[req.TelephoneNumbers[0].PhoneNumber])
		out.TelephoneNumberAccount, out.Port = &v, req.Port
	}
	return out
}
