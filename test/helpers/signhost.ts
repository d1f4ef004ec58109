// A Signhost postback shaped like the official documentation's example and the official
// client's mock (docs/providers/signhost.md): the full Transaction, PascalCase, personal data included as
// Signhost sends it, plus the checksum.
import { signhostChecksum } from '../../src/providers/signhost';

export interface SignhostActivityFixture {
  Id: string;
  Code: number;
  Activity: string;
  Info?: string;
  CreatedDateTime: string;
}

export const JOHN_ACTIVITIES: SignhostActivityFixture[] = [
  {
    Id: 'a1b2c3d4-e5f6-47a8-b9c0-d1e2f3a4b5c6',
    Code: 101,
    Activity: 'InvitationSent',
    CreatedDateTime: '2016-06-15T23:30:00.0000000+02:00',
  },
  {
    Id: 'b2c3d4e5-f6a7-48b9-c0d1-e2f3a4b5c6d7',
    Code: 103,
    Activity: 'Opened',
    CreatedDateTime: '2016-06-15T23:33:04.1965465+02:00',
  },
  {
    Id: 'c3d4e5f6-a7b8-49c0-d1e2-f3a4b5c6d7e8',
    Code: 105,
    Activity: 'DocumentOpened',
    Info: 'contract.pdf',
    CreatedDateTime: '2016-06-15T23:33:10.0000000+02:00',
  },
  {
    Id: 'f6a7b8c9-d0e1-42f3-a4b5-c6d7e8f9a0b1',
    Code: 203,
    Activity: 'Signed',
    CreatedDateTime: '2016-06-15T23:38:04.1965465+02:00',
  },
];

export const JANE_ACTIVITIES: SignhostActivityFixture[] = [
  {
    Id: 'e1f2a3b4-c5d6-47e8-f9a0-b1c2d3e4f5a6',
    Code: 203,
    Activity: 'Signed',
    CreatedDateTime: '2016-06-16T09:12:44.0000000+02:00',
  },
];

export interface PostbackOptions {
  id: string;
  status: number;
  /** Signs the body's Checksum; omit to leave it out. */
  secret?: string;
  john?: SignhostActivityFixture[];
  jane?: SignhostActivityFixture[];
  johnRejectReason?: string | null;
  cancellationReason?: string | null;
}

const signer = (
  id: string,
  email: string,
  name: string,
  activities: SignhostActivityFixture[],
  rejectReason: string | null,
) => ({
  Id: id,
  Expires: null,
  Email: email,
  Authentications: [],
  Verifications: [
    { Type: 'Scribble', RequireHandsignature: true, ScribbleNameFixed: true, ScribbleName: name },
    { Type: 'IPAddress', IPAddress: '203.0.113.42' },
  ],
  Mobile: '+31612345678',
  SendSignRequest: true,
  SendSignConfirmation: true,
  SignRequestMessage: `Dear ${name}, please sign this document.`,
  DaysToRemind: 7,
  Language: 'en-US',
  ScribbleName: name,
  Reference: 'Client #123',
  ReturnUrl: 'https://example.com/signed',
  Activities: activities,
  RejectReason: rejectReason,
  DelegateReason: null,
  DelegateSignerEmail: null,
  SignUrl: `https://view.signhost.com/sign/${id}`,
  SignedDateTime: null,
  RejectDateTime: null,
  CreatedDateTime: '2016-06-15T23:30:00.0000000+02:00',
  ModifiedDateTime: '2016-06-15T23:38:12.0000000+02:00',
  Context: null,
});

export function signhostPostback(o: PostbackOptions) {
  const body = {
    Id: o.id,
    Status: o.status,
    Files: {
      'contract.pdf': {
        Links: [
          {
            Rel: 'file',
            Type: 'application/pdf',
            Link: `https://api.signhost.com/api/transaction/${o.id}/file/contract.pdf`,
          },
        ],
        DisplayName: 'contract.pdf',
      },
    },
    Seal: false,
    Signers: [
      signer(
        'fa95495d-6c59-48e0-962a-a4552f8d6b85',
        'john.doe@example.com',
        'John Doe',
        o.john ?? JOHN_ACTIVITIES,
        o.johnRejectReason ?? null,
      ),
      signer(
        'd3c93bd6-f1ce-48e7-8c9c-c2babfdd4034',
        'jane.roe@example.com',
        'Jane Roe',
        o.jane ?? JANE_ACTIVITIES,
        null,
      ),
    ],
    Receivers: [
      {
        Id: '97ed6b54-b6d1-46ed-88c1-79779c3b47b1',
        Name: 'John Doe',
        Email: 'john.doe@example.com',
        Language: 'en-US',
        Activities: null,
      },
    ],
    Reference: 'Contract #123',
    PostbackUrl: null,
    SignRequestMode: 2,
    DaysToExpire: 30,
    SendEmailNotifications: true,
    Language: 'en-US',
    CreatedDateTime: '2016-06-15T23:30:00.0000000+02:00',
    ModifiedDateTime: '2016-06-16T09:12:50.0000000+02:00',
    CanceledDateTime: null,
    CancellationReason: o.cancellationReason ?? null,
    Context: null,
  };
  const checksum: { Checksum?: string } =
    o.secret === undefined ? {} : { Checksum: signhostChecksum(o.id, o.status, o.secret) };
  return { ...body, ...checksum };
}
