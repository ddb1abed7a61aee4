/** Accounts: register, log in, refresh, log out, and who is logged in. */
import { graphql } from "../../generated";

export const UserFields = graphql(`
  fragment UserFields on User {
    id
    username
    email
    role
  }
`);

export const SessionFields = graphql(`
  fragment SessionFields on AuthResult {
    __typename
    ... on AuthPayload {
      accessToken
      refreshToken
      expiresIn
      user {
        ...UserFields
      }
    }
    ... on InputError {
      field
    }
    ... on Error {
      message
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      ...SessionFields
    }
  }
`);

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      ...SessionFields
    }
  }
`);

export const RefreshTokenMutation = graphql(`
  mutation RefreshToken($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      ...SessionFields
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...UserFields
    }
  }
`);
