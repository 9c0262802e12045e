package store

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// CallDetailRecord is one leg of one call, as Alianza's API returns it and as
// the datafeed files carry it. Fields are in the order of Alianza's schema
// (the CSV columns follow this order); absent values are left out of JSON and
// written as empty CSV cells.
type CallDetailRecord struct {
	ID                         string              `json:"id,omitempty"`
	PartitionID                string              `json:"partitionId,omitempty"`
	StartTime                  *Timestamp          `json:"startTime,omitempty"`
	ConnectTime                *Timestamp          `json:"connectTime,omitempty"`
	EndTime                    *Timestamp          `json:"endTime,omitempty"`
	CreatedDate                *Timestamp          `json:"createdDate,omitempty"`
	ActualCallLengthSeconds    *int64              `json:"actualCallLengthSeconds,omitempty"`
	BillCallLengthSeconds      *int64              `json:"billCallLengthSeconds,omitempty"`
	RatePerMinute              *float64            `json:"ratePerMinute,omitempty"`
	Cost                       *float64            `json:"cost,omitempty"`
	InPlan                     *bool               `json:"inPlan,omitempty"`
	DialedNumber               string              `json:"dialedNumber,omitempty"`
	OrigNumber                 string              `json:"origNumber,omitempty"`
	OrigLocation               string              `json:"origLocation,omitempty"`
	OrigCityName               string              `json:"origCityName,omitempty"`
	OrigAbbrRCName             string              `json:"origAbbrRCName,omitempty"`
	OrigState                  string              `json:"origState,omitempty"`
	OrigCountry                string              `json:"origCountry,omitempty"`
	OrigCarrier                string              `json:"origCarrier,omitempty"`
	OrigCallCategory           string              `json:"origCallCategory,omitempty"`
	IdentityAttestLevel        string              `json:"identityAttestLevel,omitempty"`
	IdentityOriginationID      string              `json:"identityOriginationId,omitempty"`
	IdentitySignOrganization   string              `json:"identitySignOrganization,omitempty"`
	IdentitySignSPCode         string              `json:"identitySignSPCode,omitempty"`
	Verstat                    string              `json:"verstat,omitempty"`
	VerstatReason              string              `json:"verstatReason,omitempty"`
	CorrelationData            map[string][]string `json:"correlationData,omitempty"`
	AccountCode                string              `json:"accountCode,omitempty"`
	TermNumber                 string              `json:"termNumber,omitempty"`
	TermLocation               string              `json:"termLocation,omitempty"`
	TermCityName               string              `json:"termCityName,omitempty"`
	TermAbbrRCName             string              `json:"termAbbrRCName,omitempty"`
	TermState                  string              `json:"termState,omitempty"`
	TermCountry                string              `json:"termCountry,omitempty"`
	TermCarrier                string              `json:"termCarrier,omitempty"`
	TermCallCategory           string              `json:"termCallCategory,omitempty"`
	ForwardingNumber           string              `json:"forwardingNumber,omitempty"`
	ForwardingNumberCityName   string              `json:"forwardingNumberCityName,omitempty"`
	ForwardingNumberAbbrRCName string              `json:"forwardingNumberAbbrRCName,omitempty"`
	ForwardingNumberLocation   string              `json:"forwardingNumberLocation,omitempty"`
	ForwardingNumberState      string              `json:"forwardingNumberState,omitempty"`
	ForwardingNumberCountry    string              `json:"forwardingNumberCountry,omitempty"`
	MediaServerType            string              `json:"mediaServerType,omitempty"`
	LegType                    string              `json:"legType,omitempty"`
	CallType                   string              `json:"callType,omitempty"`
	CallFlagType               string              `json:"callFlagType,omitempty"`
	DisconnectType             string              `json:"disconnectType,omitempty"`
	MetroServiceArea           string              `json:"metroServiceArea,omitempty"`
	RateType                   string              `json:"rateType,omitempty"`
	RateLocalFromNumber        string              `json:"rateLocalFromNumber,omitempty"`
	ServiceType                string              `json:"serviceType,omitempty"`
	Local                      *bool               `json:"local,omitempty"`
	SessionID                  string              `json:"sessionId,omitempty"`
	AccountBillableNumber      string              `json:"accountBillableNumber,omitempty"`
	AccountBillableCityName    string              `json:"accountBillableCityName,omitempty"`
	AccountBillableAbbrRCName  string              `json:"accountBillableAbbrRCName,omitempty"`
	AccountBillableLocation    string              `json:"accountBillableLocation,omitempty"`
	AccountBillableState       string              `json:"accountBillableState,omitempty"`
	AccountBillableCountry     string              `json:"accountBillableCountry,omitempty"`
	ReferenceID                string              `json:"referenceId,omitempty"`
	ReferenceType              string              `json:"referenceType,omitempty"`
	ReferenceName              string              `json:"referenceName,omitempty"`
	AcctID                     string              `json:"acctId,omitempty"`
	AccountID                  string              `json:"accountId,omitempty"`
	CallingPlanProductID       string              `json:"callingPlanProductId,omitempty"`
	CallingPlanProductName     string              `json:"callingPlanProductName,omitempty"`
	AccountNumber              string              `json:"accountNumber,omitempty"`
	AccountCustomField         string              `json:"accountCustomField,omitempty"`
	PartitionBillingCode       string              `json:"partitionBillingCode,omitempty"`
	AccountBillingCycleDay     *int32              `json:"accountBillingCycleDay,omitempty"`
	AccountTimeZone            string              `json:"accountTimeZone,omitempty"`
	SipCallIDs                 []string            `json:"sipCallIds,omitempty"`
	MeanOpinionScoreAverage    *float64            `json:"meanOpinionScoreAverage,omitempty"`
	MeanOpinionScores          map[string]float64  `json:"meanOpinionScores,omitempty"`
	CallPickupFromID           string              `json:"callPickupFromId,omitempty"`
	CallPickupByID             string              `json:"callPickupById,omitempty"`
	ApplicationData            json.RawMessage     `json:"applicationData,omitempty"`
	OrigCnam                   string              `json:"origCnam,omitempty"`
	TermCnam                   string              `json:"termCnam,omitempty"`
	ForwardingCnam             string              `json:"forwardingCnam,omitempty"`
}

// TimestampLayout is how every CDR instant is written: ISO-8601, UTC,
// milliseconds.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// Timestamp is an instant written as TimestampLayout. Reading accepts any
// RFC 3339 form and converts it to UTC.
type Timestamp struct{ time.Time }

// At makes a *Timestamp, truncated to the millisecond.
func At(t time.Time) *Timestamp { return &Timestamp{t.UTC().Truncate(time.Millisecond)} }

// String is the instant in TimestampLayout.
func (t Timestamp) String() string { return t.UTC().Format(TimestampLayout) }

// MarshalJSON writes the instant as a JSON string in TimestampLayout.
func (t Timestamp) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON reads an RFC 3339 string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = v.UTC().Truncate(time.Millisecond)
	return nil
}

// cdrColumns are the CSV header: the JSON names of CallDetailRecord in
// field order.
var cdrColumns = func() []string {
	rt := reflect.TypeFor[CallDetailRecord]()
	cols := make([]string, rt.NumField())
	for i := range cols {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		cols[i] = name
	}
	return cols
}()

// CDRColumns returns the datafeed's CSV header, one name per column.
func CDRColumns() []string { return append([]string(nil), cdrColumns...) }

// csvRow renders one record as CSV cells, in cdrColumns order. Absent values
// are empty cells; maps, lists and applicationData are compact JSON.
func (r *CallDetailRecord) csvRow() []string {
	rv := reflect.ValueOf(r).Elem()
	row := make([]string, rv.NumField())
	for i := range row {
		row[i] = csvCell(rv.Field(i))
	}
	return row
}

func csvCell(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		switch x := v.Interface().(type) {
		case *Timestamp:
			return x.String()
		case *int64:
			return strconv.FormatInt(*x, 10)
		case *int32:
			return strconv.FormatInt(int64(*x), 10)
		case *float64:
			return strconv.FormatFloat(*x, 'f', -1, 64)
		case *bool:
			return strconv.FormatBool(*x)
		}
	case reflect.Map, reflect.Slice:
		if v.Len() == 0 {
			return ""
		}
		if raw, ok := v.Interface().(json.RawMessage); ok {
			var buf bytes.Buffer
			if json.Compact(&buf, raw) == nil {
				return buf.String()
			}
			return string(raw)
		}
		b, err := json.Marshal(v.Interface()) // map keys come out sorted
		if err != nil {
			panic(fmt.Sprintf("store: csv cell: %v", err))
		}
		return string(b)
	}
	panic(fmt.Sprintf("store: csv cell of kind %s", v.Kind()))
}

// WriteCDRCSV writes a header row and one row per record, per RFC 4180:
// comma separated, quoted where needed, CRLF line ends.
func WriteCDRCSV(w *bytes.Buffer, records []CallDetailRecord) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(cdrColumns); err != nil {
		return err
	}
	for i := range records {
		if err := cw.Write(records[i].csvRow()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CDR enum literals (Alianza's spelling).
const (
	CallInbound  = "INBOUND"
	CallOutbound = "OUTBOUND"

	FlagAnswered  = "ANSWERED"
	FlagMissed    = "MISSED"
	FlagVoicemail = "VOICEMAIL"
	FlagBusy      = "BUSY"
	FlagForwarded = "FORWARDED"

	LegOrigination = "Origination"
	LegTermination = "Termination"
	LegForward     = "Forward"

	CategoryOnNet  = "OnNet"
	CategoryOffNet = "OffNet"
)
