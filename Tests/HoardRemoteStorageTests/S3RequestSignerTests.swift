import HoardRemoteStorage
import Testing

@Suite struct S3RequestSignerTests {
    @Test func `a signature matches one computed independently from the SigV4 specification`() {
        let signer = S3RequestSigner(
            credentials: S3Credentials(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1"
        )
        let headers = signer.headers(
            method: "PUT",
            path: "/bucket/hoard/0123",
            host: "127.0.0.1:15000",
            payload: Array("hello".utf8),
            date: "20260101T000000Z"
        )
        let authorization = headers.first { $0.0 == "Authorization" }?.1 ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, "))
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date, "))
        #expect(authorization.hasSuffix("Signature=141f84cb3fea51a8f9f0dbb2b0708d2585257ebcf45a193de1ebc433e10665c4"))
    }
}
