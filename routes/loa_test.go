package routes_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestPortLOA: a letter of authorization uploaded for a port is read back
// byte for byte and as its metadata (extension, media type, upload time),
// marks the port loaSaved, is replaced by a second upload, lives in the
// state, and is 404 for a port without one or a port that does not exist.
func TestPortLOA(t *testing.T) {
	srv := frozenServer(t)
	call, A, csr := newAccount(t, srv, "LOA-1")
	portTN := "15055550177"
	body := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "PORTED"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": portTN}}}
	crd := call(http.MethodPost, alphaP+"/account/prevalidate", body, http.StatusOK)["earliestCRD"]
	body["port"] = map[string]any{"crdDate": crd, "portingAuthorizedName": "Lou Letters", "billingTelephoneNumber": portTN}
	port := call(http.MethodPost, A+"/telephonenumber", body, http.StatusOK)["port"].(map[string]any)
	portID := port["id"].(string)
	if port["loaSaved"] != false {
		t.Fatalf("a new port: loaSaved %v", port["loaSaved"])
	}
	c := login(t, srv, fatest.AdminUser)
	loa := A + "/port/" + portID + "/loa"
	c.fails(http.MethodGet, loa, nil, http.StatusNotFound, "EntityNotFound")
	// getLoaMetadata declares no 404: what is not found is a 400
	c.fails(http.MethodGet, loa+"/metadata", nil, http.StatusBadRequest, "EntityNotFound")

	upload := func(path, name, ct string, data []byte) *fatest.Resp {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		h.Set("Content-Type", ct)
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(data)
		_ = mw.Close()
		return srv.Call(t, http.MethodPost, path, buf.Bytes(), fatest.Auth(c.tok), "Content-Type: "+mw.FormDataContentType())
	}
	pdf := append([]byte("%PDF-1.4\n"), 0x00, 0xff, 0xe2, 0x80)
	tiff := []byte{'I', 'I', '*', 0x00, 0x08}
	for _, tc := range []struct {
		name, file, ct string
		data           []byte
		ext            string
	}{
		{"a PDF", "signed.pdf", "application/pdf", pdf, "pdf"},
		// an empty extension is still sent (a held "" is not null)
		{"a name without an extension", "letter", "application/pdf", pdf, ""},
		{"a second upload replaces it", "scan.tiff", "image/tiff", tiff, "tiff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := upload(loa, tc.file, tc.ct, tc.data); r.Status != http.StatusOK || len(r.Body) != 0 {
				t.Fatalf("upload: %d %s", r.Status, r.Body)
			}
			got := c.do(http.MethodGet, loa, nil, http.StatusOK)
			if !bytes.Equal(got.Body, tc.data) || got.Header.Get("Content-Type") != "application/octet-stream" {
				t.Fatalf("read %d bytes (%s), uploaded %d", len(got.Body), got.Header.Get("Content-Type"), len(tc.data))
			}
			m := c.do(http.MethodGet, loa+"/metadata", nil, http.StatusOK).Map(t)
			if m["extension"] != tc.ext || m["contentType"] != tc.ct || m["date"] != float64(frozenAt.UnixMilli()) ||
				len(m["id"].(string)) != 22 || m["data"] != nil {
				t.Fatalf("metadata %v", m)
			}
			if p := c.do(http.MethodGet, A+"/port/"+portID, nil, http.StatusOK).Map(t); p["loaSaved"] != true {
				t.Fatalf("port after the upload: loaSaved %v", p["loaSaved"])
			}
		})
	}
	for _, tc := range []struct {
		name, method, path string
		upload             []byte
		status             int
		code, data         string
	}{
		{"an empty file", http.MethodPost, loa, []byte{}, 400, "FileRequired", ""},
		{"upload for an unknown port", http.MethodPost, A + "/port/nope/loa", pdf, 404, "EntityNotFound", "map[id:nope type:Port]"},
		{"read an unknown port", http.MethodGet, A + "/port/nope/loa", nil, 404, "EntityNotFound", "map[id:nope type:Port]"},
		{"metadata of an unknown port", http.MethodGet, A + "/port/nope/loa/metadata", nil, 400, "EntityNotFound", "map[id:nope type:Port]"},
		{"another account's port", http.MethodGet, alphaP + "/account/fakeAcct00000000000001/port/" + portID + "/loa", nil, 404, "EntityNotFound", "map[id:" + portID + " type:Port]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r *fatest.Resp
			if tc.upload != nil {
				r = upload(tc.path, "x.pdf", "application/pdf", tc.upload)
			} else {
				r = srv.Call(t, tc.method, tc.path, nil, fatest.Auth(c.tok))
			}
			wantErrorData(t, r, tc.status, tc.code, tc.data)
		})
	}
	if got := c.do(http.MethodGet, loa, nil, http.StatusOK); !bytes.Equal(got.Body, tiff) {
		t.Fatalf("a refused upload changed the LOA: %q", got.Body)
	}

	// the LOA is in the state: a snapshot brings it back, and it goes with
	// its account
	c = stateBack(t, srv)
	if got := c.do(http.MethodGet, loa, nil, http.StatusOK); !bytes.Equal(got.Body, tiff) {
		t.Fatalf("after a state round trip: %q", got.Body)
	}
	c.do(http.MethodDelete, A, nil, http.StatusOK)
	for _, o := range srv.Store().Snapshot().Generic {
		if strings.Contains(o.Path, "/port/"+portID+"/") || strings.HasSuffix(o.Path, "/port/"+portID+"/loa") {
			t.Fatalf("an LOA outlives its account: %s", o.Path)
		}
	}
}
