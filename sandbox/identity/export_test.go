package identity

// The lifetimes the tests of identity_test advance their clock by.
const (
	AuthCodeLifetime     = authCodeLifetime
	DeviceCodeLifetime   = deviceCodeLifetime
	RefreshTokenLifetime = refreshTokenLifetime
)

// GrantDeviceCode is the device_code grant_type the tests poll with.
const GrantDeviceCode = grantDeviceCode
