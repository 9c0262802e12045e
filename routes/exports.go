package routes

import (
	"net/http"
	"strings"

	"github.com/fakealianza/fakealianza/store"
)

// exportRoutes serves the synchronous and the older asynchronous variants
// of the CSV exports the store builds (reports, the number inventory, the
// status search, the CDR search, the end user changes): a synchronous one
// answers the CSV text now, an asynchronous one a Job whose output is the
// same text. Both read the state as the hand-built newest variants do.
func (a *api) exportRoutes() map[string]Handler {
	st := a.deps.Store
	// plans name each operation's export; the table says whether it is built at once or as a job.
	report := func(kind string) func(*Request) (store.Export, error) {
		return func(r *Request) (store.Export, error) {
			q := r.URL.Query()
			// month and year are optional on some legacy reports: none at
			// all asks for every object, whenever it was created
			whole := !q.Has("month") && !q.Has("year")
			// the legacy variants declare no 412: the router answers a 400
			// with the same code
			return st.ReportExport(r.Vars["partitionId"], kind, queryInt(r, "month"), queryInt(r, "year"), whole)
		}
	}
	// newest is a report of the newest variants: no month is this month.
	newest := func(kind string) func(*Request) (store.Export, error) {
		return func(r *Request) (store.Export, error) {
			return st.ReportExport(r.Vars["partitionId"], kind, queryInt(r, "month"), queryInt(r, "year"), false)
		}
	}
	endUserChanges := func(r *Request) (store.Export, error) {
		q := r.URL.Query()
		return st.EndUserChangesExport(r.Vars["partitionId"], q.Get("startDate"), q.Get("endDate"))
	}
	cdrExport := func(r *Request) (store.Export, error) {
		q, err := store.ParseCDRQuery(r.URL.Query())
		if err != nil {
			return store.Export{}, err
		}
		return st.CDRExport(r.Vars["partitionId"], r.Vars["accountId"], q, !r.URL.Query().Has("maxResult"))
	}
	inventory := func(r *Request) (store.Export, error) { return st.InventoryExport(r.Vars["partitionId"]) }
	statusSearch := func(r *Request) (store.Export, error) {
		return st.StatusSearchExport(r.Vars["partitionId"], statusQuery(r))
	}
	atOnce := map[string]func(*Request) (store.Export, error){
		"accountCSVReport": report(store.ReportAccount), "deviceCSVReport": report(store.ReportDevice),
		"userCSVReport": report(store.ReportUser), "sipCSVReport": report(store.ReportSip),
		"vFaxCSVReport": report(store.ReportVfax), "telephoneNumberCSVReport": report(store.ReportTN),
		"telephoneNumberPortOutCSVReport": report(store.ReportPortOut),
		"endUserAccountHistory":           endUserChanges,
		"cdrSearchCSV":                    cdrExport,
		"exportTnInventory":               inventory,
		"exportTNStatusSearch":            statusSearch,
		"listDevicesCSV": func(r *Request) (store.Export, error) {
			return st.DeviceLinesExport(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["macAddress"])
		},
		"getManagementUserGroupCSV": func(r *Request) (store.Export, error) {
			return st.ManagementUserGroupsExport(r.Vars["partitionId"])
		},
	}
	asJob := map[string]func(*Request) (store.Export, error){
		"accountCSVReport2": report(store.ReportAccount), "deviceCSVReport2": report(store.ReportDevice),
		"userCSVReport2": report(store.ReportUser), "asyncExportTnInventory": inventory,
		"exportTNStatusSearch2": statusSearch, "endUserAccountHistory2": endUserChanges, "cdrSearchCSV_2": cdrExport,
	}
	for op, kind := range map[string]string{
		"telephoneNumberCSVReport2": store.ReportTN, "sipCSVReport2": store.ReportSip,
		"vFaxCSVReport2": store.ReportVfax, "businessLinesCSVReport2": store.ReportBusinessLines,
		"specialtyLinesReport": store.ReportSpecialtyLines, "telephoneNumberPortOutCSVReport2": store.ReportPortOut,
		"userCSVReport3": store.ReportUser, "accountCSVReport3": store.ReportAccount,
		"deviceCSVReport3": store.ReportDevice, "deviceRegistrationReport": store.ReportDeviceRegistration,
		"userProductsReport": store.ReportUserProducts, "emergencyNotificationComplianceReport": store.ReportEmergencyNotification,
	} {
		asJob[op] = newest(kind)
	}
	out := map[string]Handler{}
	for op, plan := range atOnce {
		out[op] = func(r *Request) (Response, error) {
			e, err := plan(r)
			if err != nil {
				return Response{}, err
			}
			text, err := st.ExportCSV(e)
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: []byte(text), ContentType: "text/csv"}, nil
		}
	}
	for op, plan := range asJob {
		out[op] = func(r *Request) (Response, error) {
			e, err := plan(r)
			if err != nil {
				return Response{}, err
			}
			return acceptedOr(st.StartExport(e, r.Principal.User.ID))
		}
	}
	return out
}

// queryList reads a list query parameter given repeated or comma-separated.
func queryList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
